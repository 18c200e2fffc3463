/// One stream of a source's `discover` output (an AirbyteCatalog), read leniently: the
/// fields the configured catalog needs, and the summary a Source's status shows.
import AirbyteProtocol
import KubeCore

public struct DiscoveredAirbyteStream: Sendable, Hashable {
    public var descriptor: StreamDescriptor
    public var jsonSchema: JSONValue
    public var supportedSyncModes: [AirbyteProtocol.SyncMode]
    public var sourceDefinedCursor: Bool
    public var defaultCursorField: [String]
    public var sourceDefinedPrimaryKey: [[String]]

    public init(descriptor: StreamDescriptor, jsonSchema: JSONValue = .emptyObject, supportedSyncModes: [AirbyteProtocol.SyncMode] = [.fullRefresh],
                sourceDefinedCursor: Bool = false, defaultCursorField: [String] = [], sourceDefinedPrimaryKey: [[String]] = []) {
        self.descriptor = descriptor
        self.jsonSchema = jsonSchema
        self.supportedSyncModes = supportedSyncModes
        self.sourceDefinedCursor = sourceDefinedCursor
        self.defaultCursorField = defaultCursorField
        self.sourceDefinedPrimaryKey = sourceDefinedPrimaryKey
    }

    /// The streams of an AirbyteCatalog (`{"streams": [...]}`, the CATALOG message's payload).
    /// Unknown sync modes are ignored; a stream without `supported_sync_modes` is taken to
    /// support full_refresh only, the one mode every source has.
    public static func streams(ofCatalog catalog: JSONValue) throws(CatalogBuildingError) -> [DiscoveredAirbyteStream] {
        guard let items = catalog["streams"].arrayValue else {
            throw CatalogBuildingError(stream: nil, message: "the discovered catalog has no array \"streams\"")
        }
        var out: [DiscoveredAirbyteStream] = []
        for (index, item) in items.enumerated() {
            guard let name = item["name"].stringValue, !name.isEmpty else {
                throw CatalogBuildingError(stream: nil, message: "discovered stream \(index) has no name")
            }
            let modes = (item["supported_sync_modes"].arrayValue ?? []).compactMap { $0.stringValue.flatMap(AirbyteProtocol.SyncMode.init(rawValue:)) }
            out.append(DiscoveredAirbyteStream(
                descriptor: StreamDescriptor(name: name, namespace: item["namespace"].stringValue),
                jsonSchema: item["json_schema"].isNull ? .emptyObject : item["json_schema"],
                supportedSyncModes: modes.isEmpty ? [.fullRefresh] : modes,
                sourceDefinedCursor: item["source_defined_cursor"].boolValue ?? false,
                defaultCursorField: (item["default_cursor_field"].arrayValue ?? []).compactMap(\.stringValue),
                sourceDefinedPrimaryKey: (item["source_defined_primary_key"].arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
                    .filter { !$0.isEmpty }))
        }
        return out
    }

    /// The summary a Source's `status.catalog.streams` holds.
    public var summary: DiscoveredStream {
        DiscoveredStream(name: descriptor.name, namespace: descriptor.namespace,
                         supportedSyncModes: supportedSyncModes.compactMap { SyncMode(rawValue: $0.rawValue) },
                         sourceDefinedCursor: sourceDefinedCursor,
                         defaultCursorField: defaultCursorField.isEmpty ? nil : defaultCursorField,
                         sourceDefinedPrimaryKey: sourceDefinedPrimaryKey.isEmpty ? nil : sourceDefinedPrimaryKey)
    }

    func supports(_ mode: AirbyteProtocol.SyncMode) -> Bool { supportedSyncModes.contains(mode) }
}
