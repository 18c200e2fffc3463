/// The Airbyte message types and the stream descriptor that names a stream.

/// The `type` of an Airbyte protocol message.
public enum AirbyteMessageType: String, Sendable, Hashable, CaseIterable {
    case record = "RECORD"
    case state = "STATE"
    case log = "LOG"
    case trace = "TRACE"
    case control = "CONTROL"
    case spec = "SPEC"
    case connectionStatus = "CONNECTION_STATUS"
    case catalog = "CATALOG"
}

/// A stream's name and optional namespace, as in `stream_descriptor`.
public struct StreamDescriptor: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    public var namespace: String?

    public init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }

    public var description: String { namespace.map { "\($0).\(name)" } ?? name }

    public static func < (a: StreamDescriptor, b: StreamDescriptor) -> Bool {
        (a.namespace ?? "", a.name) < (b.namespace ?? "", b.name)
    }
}
