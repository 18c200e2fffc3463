/// Per-stream rules of the configured catalog (sync mode pairs, cursor, primary key) and
/// Airbyte's destination stream naming.
import AirbyteProtocol
import KubeCore

extension ConfiguredCatalogBuilding {
    /// The Airbyte configured stream of one `spec.streams` entry, checked against what the
    /// source discovered and what the destination supports.
    static func configure(_ entry: ConfiguredStream, _ found: DiscoveredAirbyteStream,
                          destinationSyncModes: Set<AirbyteProtocol.DestinationSyncMode>) throws(CatalogBuildingError) -> AirbyteProtocol.ConfiguredStream {
        let label = found.descriptor.description
        func fail(_ message: String) -> CatalogBuildingError { CatalogBuildingError(stream: label, message: message) }
        // Both enums spell the protocol's values; the raw values always convert.
        let syncMode = AirbyteProtocol.SyncMode(rawValue: entry.effectiveSyncMode.rawValue) ?? .fullRefresh
        let destinationMode = AirbyteProtocol.DestinationSyncMode(rawValue: entry.effectiveDestinationSyncMode.rawValue) ?? .append
        guard found.supports(syncMode) else {
            throw fail("sync mode \(syncMode.rawValue) is not supported by the source (supported: \(list(found.supportedSyncModes.map(\.rawValue))))")
        }
        if syncMode == .incremental, destinationMode == .overwrite || destinationMode == .overwriteDedup {
            throw fail("incremental streams support destination sync modes append and append_dedup, not \(destinationMode.rawValue)")
        }
        guard destinationSyncModes.contains(destinationMode) else {
            throw fail("destination sync mode \(destinationMode.rawValue) is not supported by the destination (supported: \(list(destinationSyncModes.map(\.rawValue).sorted())))")
        }

        let given = entry.cursorField ?? []
        var cursor: [String]
        if found.sourceDefinedCursor {
            // The source decides the cursor; a different one would be silently ignored by it.
            if !given.isEmpty, !found.defaultCursorField.isEmpty, given != found.defaultCursorField {
                throw fail("cursorField \(path(given)) differs from the source-defined cursor \(path(found.defaultCursorField))")
            }
            cursor = found.defaultCursorField.isEmpty ? given : found.defaultCursorField
        } else {
            cursor = given
        }
        if syncMode == .incremental, cursor.isEmpty {
            let hint = found.defaultCursorField.isEmpty ? "" : " (the source suggests \(path(found.defaultCursorField)))"
            throw fail("incremental sync needs a cursorField: the source does not define one\(hint)")
        }
        if cursor.isEmpty { cursor = found.defaultCursorField }

        let givenKey = (entry.primaryKey ?? []).filter { !$0.isEmpty }
        if !givenKey.isEmpty, !found.sourceDefinedPrimaryKey.isEmpty, givenKey != found.sourceDefinedPrimaryKey {
            throw fail("primaryKey \(givenKey.map(path).joined(separator: ", ")) differs from the source-defined primary key \(found.sourceDefinedPrimaryKey.map(path).joined(separator: ", "))")
        }
        let primaryKey = givenKey.isEmpty ? found.sourceDefinedPrimaryKey : givenKey
        if destinationMode == .appendDedup || destinationMode == .overwriteDedup, primaryKey.isEmpty {
            throw fail("\(destinationMode.rawValue) needs a primaryKey: the source does not define one")
        }
        return AirbyteProtocol.ConfiguredStream(descriptor: found.descriptor, jsonSchema: found.jsonSchema, syncMode: syncMode,
                                                destinationSyncMode: destinationMode, cursorField: cursor, primaryKey: primaryKey)
    }

    /// The destination's descriptor of a source stream, as Airbyte names it: namespace
    /// `source` keeps the source's namespace, `destination` leaves it unset (the
    /// destination's default schema), `custom` substitutes `${SOURCE_NAMESPACE}` in the
    /// format (an empty result means the destination's default); the name gets the prefix.
    public static func destinationName(of stream: StreamDescriptor, namespaceDefinition: NamespaceDefinition,
                                       namespaceFormat: String?, prefix: String) -> StreamDescriptor {
        let namespace: String?
        switch namespaceDefinition {
        case .source: namespace = stream.namespace
        case .destination: namespace = nil
        case .custom:
            let formatted = (namespaceFormat ?? "").replacingAll("${SOURCE_NAMESPACE}", with: stream.namespace ?? "")
            namespace = formatted.allSatisfy(\.isWhitespace) ? nil : formatted
        }
        return StreamDescriptor(name: prefix + stream.name, namespace: namespace)
    }

    static func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }
    static func path(_ field: [String]) -> String { "[" + field.joined(separator: ", ") + "]" }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in this layer).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
