/// A reconciler's API call or decode failed: what it was doing, and the cause. Every
/// controller's step failures have this shape, under the controller's own name.
public struct ReconcileStepError: Error, CustomStringConvertible {
    public var action: String
    public var underlying: String
    init(_ action: String, _ underlying: any Error) {
        self.action = action
        self.underlying = "\(underlying)"
    }
    public var description: String { "\(action): \(underlying)" }
}

/// A Sync API call or decode failed; says what was being done, never a secret value.
public typealias SyncReconcileError = ReconcileStepError
/// A Connection API call failed.
public typealias ConnectionReconcileError = ReconcileStepError
/// A Source/Destination API call or decode failed; never a secret value.
public typealias ConnectorProbeError = ReconcileStepError
/// What the WorkerPool reconciler was doing when a request failed.
public typealias WorkerPoolReconcileError = ReconcileStepError
