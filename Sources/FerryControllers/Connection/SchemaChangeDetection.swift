/// What changed in a Source's discovered catalog since the Connection accepted it, and
/// whether a change breaks the Connection, as Airbyte tells them apart: streams added or
/// removed and top-level fields added or removed are non-breaking and follow
/// `spec.schemaChanges`; a synced stream gone, or the field its incremental cursor or its
/// deduplicating primary key starts with gone, is breaking and always suspends. Pure.
///
/// Streams are compared across the whole catalog; fields only for the streams the
/// Connection syncs (every stream when `spec.streams` is empty). Only `spec.streams` entries
/// can break: with `[]` every stream runs on the defaults of the latest catalog, which
/// follow the source. A stream without known fields (a schema without `properties`, or a
/// catalog summarized before fields were kept) has no field changes.
import FerryAPI

/// A stream's identity in a catalog.
public struct SchemaStreamName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String? = nil, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace.map { "\($0)." } ?? "")\(name)" }

    public static func < (a: Self, b: Self) -> Bool { (a.namespace ?? "", a.name) < (b.namespace ?? "", b.name) }
}

public enum SchemaChange: Sendable, Hashable, CustomStringConvertible {
    case streamAdded(SchemaStreamName)
    case streamRemoved(SchemaStreamName)
    case fieldAdded(SchemaStreamName, field: String)
    case fieldRemoved(SchemaStreamName, field: String)

    public var description: String {
        switch self {
        case .streamAdded(let stream): return "stream \(stream) added"
        case .streamRemoved(let stream): return "stream \(stream) removed"
        case .fieldAdded(let stream, let field): return "field \(field) added to stream \(stream)"
        case .fieldRemoved(let stream, let field): return "field \(field) removed from stream \(stream)"
        }
    }
}

/// A change the Connection cannot run with.
public struct BreakingSchemaChange: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case streamRemoved, cursorFieldRemoved, primaryKeyFieldRemoved }
    public var kind: Kind
    public var stream: SchemaStreamName
    /// The `spec.streams` index of the stream.
    public var index: Int
    /// The field gone; nil when the stream is.
    public var field: String?

    public var description: String {
        let label = "stream \(stream) (spec.streams[\(index)])"
        switch kind {
        case .streamRemoved: return "\(label) is no longer discovered"
        case .cursorFieldRemoved: return "\(label): its cursor field \(field ?? "") was removed"
        case .primaryKeyFieldRemoved: return "\(label): its primary key field \(field ?? "") was removed"
        }
    }
}

public struct SchemaChangeReport: Sendable, Hashable {
    /// Streams added and removed, then field changes, each in stream and field order.
    public var changes: [SchemaChange] = []
    /// In `spec.streams` order.
    public var breaking: [BreakingSchemaChange] = []

    public var isEmpty: Bool { changes.isEmpty }
    public var isBreaking: Bool { !breaking.isEmpty }
}

public enum SchemaChangeDetection {
    /// The part of a discovered catalog a Connection keeps to compare the next one with.
    public static func snapshot(_ catalog: DiscoveredCatalog, source: String) -> ConnectionSchema {
        ConnectionSchema(source: source, discoveredAt: catalog.discoveredAt,
                         streams: (catalog.streams ?? []).map { SchemaStream(name: $0.name, namespace: $0.namespace, fields: $0.fields) })
    }

    /// The changes from `accepted` to `current` that concern a Connection syncing
    /// `streams` (nil or empty: every stream), and which of them break it.
    public static func detect(streams configured: [ConfiguredStream]?, accepted: ConnectionSchema, current: ConnectionSchema) -> SchemaChangeReport {
        let before = index(accepted)
        let after = index(current)
        let configured = configured ?? []
        var report = SchemaChangeReport()
        report.changes += after.keys.filter { before[$0] == nil }.sorted().map(SchemaChange.streamAdded)
        report.changes += before.keys.filter { after[$0] == nil }.sorted().map(SchemaChange.streamRemoved)

        // Field changes of the synced streams present in both catalogs.
        let synced = configured.isEmpty ? Set(before.keys) : Set(configured.flatMap { matches($0, in: before.keys) })
        var removedFields: [SchemaStreamName: Set<String>] = [:]
        for stream in synced.sorted() {
            guard let old = before[stream] ?? nil, let new = after[stream] ?? nil else { continue }
            let (oldFields, newFields) = (Set(old), Set(new))
            report.changes += newFields.subtracting(oldFields).sorted().map { .fieldAdded(stream, field: $0) }
            let removed = oldFields.subtracting(newFields)
            report.changes += removed.sorted().map { .fieldRemoved(stream, field: $0) }
            removedFields[stream] = removed
        }

        for (position, entry) in configured.enumerated() {
            let candidates = matches(entry, in: before.keys)
            // Never discovered, or ambiguous: not a change (the Ready condition or the Sync's
            // rendering names the problem).
            guard candidates.count == 1, let stream = candidates.first else { continue }
            if after[stream] == nil {
                report.breaking.append(BreakingSchemaChange(kind: .streamRemoved, stream: stream, index: position))
                continue
            }
            let removed = removedFields[stream] ?? []
            if entry.effectiveSyncMode == .incremental, let field = entry.cursorField?.first, removed.contains(field) {
                report.breaking.append(BreakingSchemaChange(kind: .cursorFieldRemoved, stream: stream, index: position, field: field))
            }
            if entry.effectiveDestinationSyncMode.deduplicates,
               let field = (entry.primaryKey ?? []).compactMap(\.first).sorted().first(where: removed.contains) {
                report.breaking.append(BreakingSchemaChange(kind: .primaryKeyFieldRemoved, stream: stream, index: position, field: field))
            }
        }
        return report
    }

    /// Streams by identity, with their fields (nil: unknown). A repeated identity keeps its
    /// first entry.
    static func index(_ schema: ConnectionSchema) -> [SchemaStreamName: [String]?] {
        var out: [SchemaStreamName: [String]?] = [:]
        for stream in schema.streams ?? [] where out[SchemaStreamName(namespace: stream.namespace, name: stream.name)] == nil {
            out[SchemaStreamName(namespace: stream.namespace, name: stream.name)] = .some(stream.fields)
        }
        return out
    }

    /// The streams a `spec.streams` entry names: by name, and by namespace when it has one
    /// (as the configured catalog matches them).
    static func matches(_ entry: ConfiguredStream, in streams: some Collection<SchemaStreamName>) -> [SchemaStreamName] {
        streams.filter { $0.name == entry.name && (entry.namespace == nil || $0.namespace == entry.namespace) }.sorted()
    }
}
