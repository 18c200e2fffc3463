/// The type of one watch event, as streamed by `?watch=true`.
public enum WatchEventType: String, Sendable, Hashable, Codable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One line of a watch stream: `{"type": "...", "object": {...}}`.
public struct WatchEvent: Sendable, Hashable {
    public var type: WatchEventType
    public var object: JSONValue

    public init(type: WatchEventType, object: JSONValue) {
        self.type = type
        self.object = object
    }

    public init(json: JSONValue) throws(WatchEventDecodingError) {
        guard let t = json["type"].stringValue else { throw WatchEventDecodingError(message: "watch event without a type") }
        guard let type = WatchEventType(rawValue: t) else { throw WatchEventDecodingError(message: "unknown watch event type \(t)") }
        self.init(type: type, object: json["object"])
    }

    public var json: JSONValue { ["type": .string(type.rawValue), "object": object] }

    /// The annotation a BOOKMARK carries to mark the end of `sendInitialEvents`.
    public static let initialEventsEndAnnotation = "k8s.io/initial-events-end"
}

public struct WatchEventDecodingError: Error, Sendable, Hashable {
    public var message: String
}
