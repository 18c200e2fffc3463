/// The configured catalog a sync runs with: which streams, in which sync modes.
import KubeCore

public enum SyncMode: String, Sendable, Hashable { case fullRefresh = "full_refresh", incremental }

public enum DestinationSyncMode: String, Sendable, Hashable {
    case overwrite, append
    case appendDedup = "append_dedup"
    case overwriteDedup = "overwrite_dedup"
}

public struct ConfiguredStream: Sendable, Hashable {
    public var descriptor: StreamDescriptor
    public var jsonSchema: JSONValue
    public var syncMode: SyncMode
    public var destinationSyncMode: DestinationSyncMode
    public var cursorField: [String]
    public var primaryKey: [[String]]

    public init(descriptor: StreamDescriptor, jsonSchema: JSONValue = .emptyObject, syncMode: SyncMode = .fullRefresh,
                destinationSyncMode: DestinationSyncMode = .append, cursorField: [String] = [], primaryKey: [[String]] = []) {
        self.descriptor = descriptor
        self.jsonSchema = jsonSchema
        self.syncMode = syncMode
        self.destinationSyncMode = destinationSyncMode
        self.cursorField = cursorField
        self.primaryKey = primaryKey
    }
}

public struct ConfiguredCatalog: Sendable, Hashable {
    public var streams: [ConfiguredStream]
    public init(streams: [ConfiguredStream]) { self.streams = streams }

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { "configured catalog: \(message)" }
    }

    public init(json: JSONValue) throws(Problem) {
        guard let items = json["streams"].arrayValue else { throw Problem(message: "no array \"streams\"") }
        var streams: [ConfiguredStream] = []
        for (index, item) in items.enumerated() {
            let s = item["stream"]
            guard let name = s["name"].stringValue else { throw Problem(message: "streams[\(index)].stream.name is missing") }
            let syncText = item["sync_mode"].stringValue ?? "full_refresh"
            guard let sync = SyncMode(rawValue: syncText) else { throw Problem(message: "streams[\(index)].sync_mode \"\(syncText)\" is not full_refresh or incremental") }
            let destText = item["destination_sync_mode"].stringValue ?? "append"
            guard let dest = DestinationSyncMode(rawValue: destText) else { throw Problem(message: "streams[\(index)].destination_sync_mode \"\(destText)\" is unknown") }
            let pk = (item["primary_key"].arrayValue ?? s["source_defined_primary_key"].arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap(\.stringValue) }
            let cursor = (item["cursor_field"].arrayValue ?? s["default_cursor_field"].arrayValue ?? []).compactMap(\.stringValue)
            streams.append(ConfiguredStream(descriptor: StreamDescriptor(name: name, namespace: s["namespace"].stringValue),
                                            jsonSchema: s["json_schema"], syncMode: sync, destinationSyncMode: dest,
                                            cursorField: cursor, primaryKey: pk))
        }
        self.streams = streams
    }

    public var json: JSONValue {
        .object(["streams": .array(streams.map { s in
            var stream: JSONValue = ["name": .string(s.descriptor.name), "json_schema": s.jsonSchema,
                                     "supported_sync_modes": ["full_refresh", "incremental"]]
            if let ns = s.descriptor.namespace { stream["namespace"] = .string(ns) }
            return ["stream": stream, "sync_mode": .string(s.syncMode.rawValue),
                    "destination_sync_mode": .string(s.destinationSyncMode.rawValue),
                    "cursor_field": .array(s.cursorField.map { .string($0) }),
                    "primary_key": .array(s.primaryKey.map { .array($0.map { .string($0) }) })]
        })])
    }

    public func stream(_ d: StreamDescriptor) -> ConfiguredStream? { streams.first { $0.descriptor == d } }
}
