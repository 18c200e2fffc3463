/// The Connection's stream settings checked against its Source's discovered catalog, so a
/// stream that cannot run shows in the Ready condition before a Sync fails on it: an
/// incremental stream needs a cursor and a deduplicating one a primary key, from the
/// spec or defined by the source (API.md, Connection). Pure. Without a catalog there is
/// nothing to check against; the Sync-time rendering (ConfiguredCatalogBuilding) then
/// reports what is wrong, as it does for streams the source did not discover.
import FerryAPI

public struct StreamProblem: Sendable, Hashable {
    /// A `ConnectionConditions.Reason`.
    public var reason: String
    public var message: String
}

public enum StreamValidation {
    /// Every listed stream's problem, in `spec.streams` order; empty when all can run or
    /// when the Source has no catalog yet.
    public static func problems(_ streams: [ConfiguredStream]?, catalog: DiscoveredCatalog?) -> [StreamProblem] {
        guard let discovered = catalog?.streams else { return [] }
        var problems: [StreamProblem] = []
        for (index, entry) in (streams ?? []).enumerated() {
            let candidates = discovered.filter { $0.name == entry.name && (entry.namespace == nil || $0.namespace == entry.namespace) }
            // Not discovered, or ambiguous: the rendering names the problem.
            guard candidates.count == 1, let found = candidates.first else { continue }
            let label = "stream \(found.namespace.map { "\($0)." } ?? "")\(found.name) (spec.streams[\(index)])"
            if entry.effectiveSyncMode == .incremental, (entry.cursorField ?? []).isEmpty, found.sourceDefinedCursor != true {
                let hint = (found.defaultCursorField ?? []).isEmpty ? "" : " (the source suggests [\((found.defaultCursorField ?? []).joined(separator: ", "))])"
                problems.append(StreamProblem(
                    reason: ConnectionConditions.Reason.missingCursor,
                    message: "\(label): syncMode incremental needs a cursorField: the source does not define a cursor\(hint)"))
            }
            let mode = entry.effectiveDestinationSyncMode
            if mode.deduplicates, (entry.primaryKey ?? []).allSatisfy(\.isEmpty), (found.sourceDefinedPrimaryKey ?? []).allSatisfy(\.isEmpty) {
                problems.append(StreamProblem(
                    reason: ConnectionConditions.Reason.missingPrimaryKey,
                    message: "\(label): destinationSyncMode \(mode.rawValue) needs a primaryKey: the source does not define one"))
            }
        }
        return problems
    }
}
