/// What a reconciler is: a function of (key, cached object) returning an action, and the
/// errors it may throw that the controller treats specially.
import KubeClient
import KubeCore

/// What to do after a successful reconcile.
public enum ReconcileAction: Sendable, Hashable {
    /// Nothing until the next change (the backoff of the key is reset).
    case done
    /// Reconcile again after this long even without a change (the backoff is reset).
    case requeueAfter(Duration)
}

/// An error retrying cannot fix (invalid spec, missing permission by design). It is logged
/// and counted, and the key is not requeued until the object changes again.
public struct TerminalError: Error, CustomStringConvertible {
    public var underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "terminal error: \(underlying)" }
}

/// Reconciles one key. `object` is the primary object from the informer cache, nil when it
/// is gone. The reconciler is never told why it runs: it compares desired and actual state.
public typealias ReconcileFunction = @Sendable (_ key: ObjectKey, _ object: JSONValue?) async throws -> ReconcileAction

/// How the controller classifies a reconcile outcome (pure, so it is tested as a table).
public enum ReconcileOutcome: String, Sendable, Hashable {
    case success
    case requeueAfter = "requeue_after"
    /// A 409 Conflict: requeued with backoff, not logged as an error.
    case requeue
    case error
    case terminalError = "terminal_error"

    public static func classify(_ result: Result<ReconcileAction, any Error>) -> ReconcileOutcome {
        switch result {
        case .success(.done): return .success
        case .success(.requeueAfter(let d)): return d > .zero ? .requeueAfter : .success
        case .failure(let error):
            if error is TerminalError { return .terminalError }
            if isConflict(error) { return .requeue }
            return .error
        }
    }

    static func isConflict(_ error: any Error) -> Bool {
        if let e = error as? KubeClientError { return e.isConflict }
        if let e = error as? APIError { return e.isConflict }
        return false
    }
}
