/// The worker's running report of one attempt: a ConfigMap named like the worker Pod,
/// created empty by the Sync controller with the Pod and updated by the orchestrator
/// (a merge patch of its `data`) every flush interval and at the end. The controller
/// copies it into the Sync's status and the Connection's state store, so an attempt that
/// crashes still hands its last committed state to the next one. A ConfigMap rather than
/// the Sync's status: the worker then needs no rights on Ferry's resources, and the
/// controller stays the only writer of the status.
import KubeCore

public struct AttemptProgress: Equatable, Sendable {
    /// Counters in the shape of a Sync's `status.stats`.
    public var stats: SyncStats?
    /// Committed state in the shape a source's `--state` takes; nil while nothing is committed.
    public var committedState: JSONValue?
    /// When the worker wrote this report (RFC 3339).
    public var updatedAt: String?
    /// The worker's last report: the relay has finished.
    public var isFinal: Bool
    /// Why the last committed state could not be reported (too large even compressed).
    public var stateError: String?

    public init(stats: SyncStats?, committedState: JSONValue?, updatedAt: String?, isFinal: Bool, stateError: String? = nil) {
        self.stats = stats
        self.committedState = committedState
        self.updatedAt = updatedAt
        self.isFinal = isFinal
        self.stateError = stateError
    }
}

public enum AttemptProgressConfigMap {
    public static let statsKey = "stats.json"
    public static let stateKey = "state.json"
    public static let updatedAtKey = "updatedAt"
    public static let finalKey = "final"
    public static let stateErrorKey = "stateError"

    /// Same name as the worker Pod: one report per attempt, found without a lookup.
    public static func name(podName: String) -> String { podName }

    /// The empty report the controller creates before the Pod, owned like the Pod.
    public static func initial(name: String, namespace: String, labels: [String: String], ownerReferences: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
                "ownerReferences": ownerReferences,
            ],
            "data": .emptyObject,
        ]
    }

    /// The merge patch the worker sends. A nil state leaves the stored one alone, so a
    /// report never takes back a committed state.
    public static func patch(stats: JSONValue, committedState: JSONValue?, updatedAt: String, isFinal: Bool) -> JSONValue {
        var data: [String: JSONValue] = [
            statsKey: .string(stats.serialized()),
            updatedAtKey: .string(updatedAt),
            finalKey: .string(isFinal ? "true" : "false"),
        ]
        var binaryData: [String: JSONValue] = [:]
        if let committedState {
            // Stored like the state store stores it: plain, or gzip when large. A merge
            // patch's null removes the other form and an earlier error.
            do {
                let contents = try ConnectionStateStore.contents(of: committedState)
                data[stateKey] = contents.data[stateKey]
                binaryData[ConnectionStateStore.compressedStateKey] = contents.binaryData[ConnectionStateStore.compressedStateKey]
                data[stateErrorKey] = .null
            } catch {
                data[stateErrorKey] = .string(error.description)
            }
        }
        var patch: JSONValue = ["data": .object(data)]
        if committedState != nil { patch["binaryData"] = .object(binaryData) }
        return patch
    }

    /// The report in a ConfigMap; nil when the worker has not written one yet. Keys that
    /// do not parse are left out rather than failing the whole report.
    public static func read(_ configMap: JSONValue) -> AttemptProgress? {
        let data = configMap["data"]
        guard let updatedAt = data[updatedAtKey].stringValue else { return nil }
        let stats = data[statsKey].stringValue.flatMap { try? JSONValue.parse($0) }.flatMap { try? $0.decode(SyncStats.self) }
        // A garbled state is left out like the other keys (nil: JSONValue's own nil
        // literal would be `.null`, so no `?? nil` here).
        let state = (try? ConnectionStateStore.state(in: configMap)).flatMap { $0 }
        return AttemptProgress(stats: stats, committedState: state, updatedAt: updatedAt, isFinal: data[finalKey].stringValue == "true",
                               stateError: data[stateErrorKey].stringValue)
    }
}
