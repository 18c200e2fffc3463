/// The chaos suite's witness: it sees every write the API server stores (through
/// `EmbeddedAPIServer.observeChanges`, which faults never touch) and checks the three
/// invariants as they happen — one pod per (Sync, attempt), a Connection's committed cursor
/// never moving backwards, a Sync never leaving a terminal phase — so a violation that a
/// later write would hide is still caught.
import KubeAPIServer
import KubeCore
import Synchronization

final class ChaosObserver: Sendable {
    static let terminalPhases: Set<String> = ["Succeeded", "Failed", "Cancelled"]

    struct State {
        /// Worker pod UIDs by `namespace/sync#attempt`.
        var podUIDs: [String: Set<String>] = [:]
        /// Each Connection's committed cursor per stream, the last one stored.
        var cursors: [String: [String: String]] = [:]
        /// State ConfigMap writes, and those that moved some cursor forward.
        var stateWrites = 0
        var stateAdvances = 0
        /// Every Sync's last phase ("" before its first status), by name.
        var phases: [String: String] = [:]
        var violations: [String] = []
    }

    private let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }

    /// The observer to install; cheap enough to run under the store's lock.
    var callback: @Sendable (StoredChange) -> Void {
        { [self] change in state.withLock { Self.record(change, into: &$0) } }
    }

    static func record(_ change: StoredChange, into s: inout State) {
        let object = change.object
        let namespace = object.namespace ?? ""
        switch change.resource {
        case "/pods":
            let labels = object["metadata"]["labels"]
            guard labels["ferry.dev/probe"].isNull, let sync = labels["ferry.dev/sync"].stringValue,
                  let attempt = labels["ferry.dev/attempt"].stringValue, let uid = object.uid else { return }
            let key = "\(namespace)/\(sync)#\(attempt)"
            s.podUIDs[key, default: []].insert(uid)
            if s.podUIDs[key]?.count == 2 {
                s.violations.append("attempt \(attempt) of Sync \(namespace)/\(sync) got a second pod (\(object.name ?? ""), uid \(uid))")
            }
        case "/configmaps":
            guard let name = object.name, name.hasSuffix("-state"), let connection = object["metadata"]["labels"]["ferry.dev/connection"].stringValue
            else { return }
            let key = "\(namespace)/\(connection)"
            let before = s.cursors[key] ?? [:]
            guard change.type != .deleted else {
                s.violations.append("the state ConfigMap of Connection \(key) was deleted (cursors were \(before))")
                return
            }
            let after = cursors(inStateConfigMap: object)
            s.stateWrites += 1
            var advanced = false
            for (stream, old) in before {
                guard let new = after[stream] else {
                    s.violations.append("Connection \(key): stream \(stream)'s committed cursor \(old) was dropped (write by \(writer(object)))")
                    continue
                }
                // The cursors are RFC 3339 UTC times of one format: text order is time order.
                if new < old { s.violations.append("Connection \(key): stream \(stream)'s committed cursor went back from \(old) to \(new) (write by \(writer(object)))") }
                if new > old { advanced = true }
            }
            if advanced || (before.isEmpty && !after.isEmpty) { s.stateAdvances += 1 }
            s.cursors[key] = after
        case "ferry.dev/syncs":
            guard let name = object.name else { return }
            let key = "\(namespace)/\(name)"
            let old = s.phases[key] ?? ""
            let new = object["status"]["phase"].stringValue ?? ""
            if terminalPhases.contains(old) && new != old {
                s.violations.append("Sync \(key) left its terminal phase \(old) for \(new.isEmpty ? "(none)" : new) (\(change.type.rawValue))")
            }
            if change.type == .deleted && !terminalPhases.contains(new) {
                s.violations.append("Sync \(key) was deleted in phase \(new)")
            }
            s.phases[key] = new
        default:
            return
        }
    }

    /// Stream name → `updated_at` cursor of the stored state (per-stream Airbyte STATE
    /// messages, as the Connection's state store keeps them).
    static func cursors(inStateConfigMap configMap: JSONValue) -> [String: String] {
        guard let text = configMap["data"]["state.json"].stringValue, let state = try? JSONValue.parse(text) else { return [:] }
        var out: [String: String] = [:]
        for message in state.arrayValue ?? [] {
            if let stream = message["stream"]["stream_descriptor"]["name"].stringValue,
               let cursor = message["stream"]["stream_state"]["updated_at"].stringValue {
                out[stream] = cursor
            }
        }
        return out
    }

    static func writer(_ configMap: JSONValue) -> String {
        configMap["metadata"]["annotations"]["ferry.dev/updated-by-sync"].stringValue ?? "?"
    }
}
