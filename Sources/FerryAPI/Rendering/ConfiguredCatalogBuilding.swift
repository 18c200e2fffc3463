/// The configured catalog of a sync, built from a Connection's `spec.streams` and the
/// source's discovered catalog, and the destination's names for the streams (namespace
/// definition and prefix, as Airbyte names them). Pure; used by `ferry run` and the
/// cluster's worker pod builder alike.
import AirbyteProtocol
import KubeCore

/// Why a configured catalog could not be built; names the stream when there is one.
public struct CatalogBuildingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var stream: String?
    public var message: String
    public init(stream: String?, message: String) {
        self.stream = stream
        self.message = message
    }
    public var description: String { stream.map { "stream \($0): \(message)" } ?? message }
}

/// What one sync runs with: the source reads `source`; the destination writes `destination`,
/// the same streams in the same order under their destination names.
public struct SyncCatalogs: Sendable, Hashable {
    public var source: ConfiguredCatalog
    public var destination: ConfiguredCatalog
    /// Destination descriptor of each source stream.
    public var destinationNames: [StreamDescriptor: StreamDescriptor]
    /// Whether any stream is written under another name than it is read (records and
    /// states must then be renamed on the way to the destination).
    public var renamesStreams: Bool { destinationNames.contains { $0.key != $0.value } }
}

public enum ConfiguredCatalogBuilding {
    /// Builds the catalogs. `spec.streams` empty or absent selects every discovered stream
    /// with Airbyte's default modes (see `defaultModes`); otherwise exactly the listed
    /// streams, in order. `destinationSyncModes` is what the destination's spec supports
    /// (nil: not known, every mode allowed).
    public static func build(connection spec: ConnectionSpec, discovered: [DiscoveredAirbyteStream],
                             destinationSyncModes: Set<AirbyteProtocol.DestinationSyncMode>? = nil) throws(CatalogBuildingError) -> SyncCatalogs {
        let supported = destinationSyncModes ?? Set([.overwrite, .append, .appendDedup, .overwriteDedup])
        var streams: [AirbyteProtocol.ConfiguredStream] = []
        if let listed = spec.streams, !listed.isEmpty {
            var seen: Set<StreamDescriptor> = []
            for entry in listed {
                let found = try match(entry, in: discovered)
                guard seen.insert(found.descriptor).inserted else {
                    throw CatalogBuildingError(stream: found.descriptor.description, message: "listed more than once in spec.streams")
                }
                streams.append(try configure(entry, found, destinationSyncModes: supported))
            }
        } else {
            for found in discovered {
                let modes = try defaultModes(for: found, destinationSyncModes: supported)
                streams.append(try configure(ConfiguredStream(name: found.descriptor.name, namespace: found.descriptor.namespace,
                                                              syncMode: SyncMode(rawValue: modes.0.rawValue),
                                                              destinationSyncMode: DestinationSyncMode(rawValue: modes.1.rawValue)),
                                             found, destinationSyncModes: supported))
            }
        }
        var names: [StreamDescriptor: StreamDescriptor] = [:]
        var taken: [StreamDescriptor: StreamDescriptor] = [:]
        var destinationStreams: [AirbyteProtocol.ConfiguredStream] = []
        for stream in streams {
            let target = destinationName(of: stream.descriptor, namespaceDefinition: spec.effectiveNamespaceDefinition,
                                         namespaceFormat: spec.namespaceFormat, prefix: spec.prefix ?? "")
            if let other = taken[target] {
                throw CatalogBuildingError(stream: stream.descriptor.description, message: "its destination name \(target) is also the destination name of stream \(other)")
            }
            taken[target] = stream.descriptor
            names[stream.descriptor] = target
            var renamed = stream
            renamed.descriptor = target
            destinationStreams.append(renamed)
        }
        return SyncCatalogs(source: ConfiguredCatalog(streams: streams), destination: ConfiguredCatalog(streams: destinationStreams), destinationNames: names)
    }

    /// Convenience: `discovered` is the AirbyteCatalog JSON of a CATALOG message.
    public static func build(connection spec: ConnectionSpec, discoveredCatalog: JSONValue,
                             destinationSyncModes: Set<AirbyteProtocol.DestinationSyncMode>? = nil) throws(CatalogBuildingError) -> SyncCatalogs {
        try build(connection: spec, discovered: DiscoveredAirbyteStream.streams(ofCatalog: discoveredCatalog), destinationSyncModes: destinationSyncModes)
    }

    /// The discovered stream a `spec.streams` entry names. Without a namespace the entry
    /// matches a stream of that name in any namespace, if only one has it.
    static func match(_ entry: ConfiguredStream, in discovered: [DiscoveredAirbyteStream]) throws(CatalogBuildingError) -> DiscoveredAirbyteStream {
        let label = StreamDescriptor(name: entry.name, namespace: entry.namespace).description
        let candidates = discovered.filter { $0.descriptor.name == entry.name && (entry.namespace == nil || $0.descriptor.namespace == entry.namespace) }
        guard let first = candidates.first else {
            let known = discovered.map(\.descriptor.description).sorted().joined(separator: ", ")
            throw CatalogBuildingError(stream: label, message: "the source did not discover it (discovered: \(known.isEmpty ? "none" : known))")
        }
        guard candidates.count == 1 else {
            let namespaces = candidates.map { $0.descriptor.namespace ?? "(none)" }.sorted().joined(separator: ", ")
            throw CatalogBuildingError(stream: label, message: "discovered in several namespaces (\(namespaces)); set its namespace")
        }
        return first
    }

    /// Airbyte's default modes for a stream nobody configured, in its order of preference:
    /// incremental + append_dedup when the source defines both the cursor and the primary
    /// key (the destination then holds exactly the source's rows, read incrementally);
    /// else full_refresh + overwrite; else incremental + append when a cursor is known;
    /// else full_refresh + append.
    public static func defaultModes(for stream: DiscoveredAirbyteStream, destinationSyncModes: Set<AirbyteProtocol.DestinationSyncMode>)
        throws(CatalogBuildingError) -> (AirbyteProtocol.SyncMode, AirbyteProtocol.DestinationSyncMode) {
        if stream.supports(.incremental), stream.sourceDefinedCursor, !stream.defaultCursorField.isEmpty,
           !stream.sourceDefinedPrimaryKey.isEmpty, destinationSyncModes.contains(.appendDedup) {
            return (.incremental, .appendDedup)
        }
        if stream.supports(.fullRefresh), destinationSyncModes.contains(.overwrite) { return (.fullRefresh, .overwrite) }
        if stream.supports(.incremental), stream.sourceDefinedCursor, !stream.defaultCursorField.isEmpty, destinationSyncModes.contains(.append) {
            return (.incremental, .append)
        }
        if stream.supports(.fullRefresh), destinationSyncModes.contains(.append) { return (.fullRefresh, .append) }
        throw CatalogBuildingError(stream: stream.descriptor.description, message: "no default sync mode: the source supports \(list(stream.supportedSyncModes.map(\.rawValue))) and the destination \(list(destinationSyncModes.map(\.rawValue).sorted()))")
    }
}
