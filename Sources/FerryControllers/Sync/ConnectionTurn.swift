/// One Sync of a Connection at a time (API.md: "Only one Sync of a Connection runs at a
/// time unless `concurrencyPolicy: Allow`"; Airbyte runs exactly one job per connection).
/// A Connection's unfinished Syncs take turns: a Sync may get a worker only when no other
/// Sync of its Connection holds one and none older is still waiting, so each Sync starts
/// from the state the previous one committed and committed state never goes back.
/// Pure: decided from the cached Syncs of one Connection.
import FerryAPI
import Foundation
import KubeCore

enum ConnectionTurn {
    /// The Sync `sync` waits for before its turn: one holding a worker, else the oldest
    /// older one still waiting; nil when it is `sync`'s turn. `others`: the cached Syncs
    /// of the same Connection (may include `sync` itself and finished Syncs).
    static func previous(of sync: JSONValue, among others: [JSONValue]) -> String? {
        let name = sync.name ?? ""
        let contenders = others.filter { $0.name != name }.compactMap { other in stand(of: other).map { (other, $0) } }
        if let holder = contenders.filter({ $0.1 == .holdsWorker }).map(\.0).min(by: isOlder) { return holder.name }
        let key = age(of: sync)
        return contenders.map(\.0).filter { isOlder(age(of: $0), key) }.min(by: isOlder)?.name
    }

    private enum Stand { case waits, holdsWorker }

    /// Where a Sync stands in its Connection's turns; nil when it will never need a
    /// worker again (finished, or queued but deleted or cancelled).
    private static func stand(of sync: JSONValue) -> Stand? {
        switch sync["status"]["phase"].stringValue {
        case nil, SyncPhase.queued.rawValue?:
            return sync.deletionTimestamp == nil && sync["spec"]["cancel"].boolValue != true ? .waits : nil
        // Being deleted or cancelled, it still holds its worker until its pod is gone.
        case SyncPhase.pending.rawValue?, SyncPhase.running.rawValue?: return .holdsWorker
        default: return nil
        }
    }

    /// Creation order: creationTimestamp, then name (timestamps have one-second steps).
    private static func age(of sync: JSONValue) -> (Date, String) {
        (sync["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) ?? .distantPast, sync.name ?? "")
    }

    private static func isOlder(_ a: (Date, String), _ b: (Date, String)) -> Bool { a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
    private static func isOlder(_ a: JSONValue, _ b: JSONValue) -> Bool { isOlder(age(of: a), age(of: b)) }
}
