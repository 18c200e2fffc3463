/// What a probe pod's orchestrator (`ferry worker probe`) makes of its connector's output:
/// the verdict in its termination message (small, JSON), and for `discover` the streams in
/// a ConfigMap named like the pod (a catalog may outgrow the kubelet's 4 KiB limit).
/// Pure, shared by the orchestrator that writes and the controller that reads.
import AirbyteProtocol
import FerryAPI
import KubeCore

/// The Airbyte command a probe pod runs.
public enum ConnectorProbeAction: String, Sendable, Hashable, CaseIterable {
    case check
    case discover
}

/// The orchestrator's verdict, as its termination message.
public struct ConnectorProbeReport: Sendable, Hashable {
    public var action: ConnectorProbeAction
    /// check: the connector said SUCCEEDED; discover: a CATALOG with valid streams came.
    public var succeeded: Bool
    /// The connector's own message (connectionStatus.message, a TRACE ERROR, an ERROR log),
    /// or what was missing; truncated to `maxMessageCharacters`.
    public var message: String?
    /// discover: how many streams were reported to the ConfigMap.
    public var streamCount: Int?

    /// Room for the message in the 4096-byte termination message, with the JSON around it
    /// and multi-byte characters.
    public static let maxMessageCharacters = 1000

    public init(action: ConnectorProbeAction, succeeded: Bool, message: String?, streamCount: Int? = nil) {
        self.action = action
        self.succeeded = succeeded
        self.message = message.map(Self.truncated)
        self.streamCount = streamCount
    }

    /// nil when the termination message is missing or not a report (e.g. the orchestrator
    /// was killed before writing it).
    public init?(terminationMessage: String?) {
        guard let text = terminationMessage, let json = try? JSONValue.parse(text),
              let action = json["action"].stringValue.flatMap(ConnectorProbeAction.init(rawValue:)),
              let succeeded = json["succeeded"].boolValue else { return nil }
        self.init(action: action, succeeded: succeeded, message: json["message"].stringValue,
                  streamCount: json["streamCount"].intValue.map { Int($0) })
    }

    public var json: JSONValue {
        var out: JSONValue = ["action": .string(action.rawValue), "succeeded": .bool(succeeded)]
        if let message { out["message"] = .string(message) }
        if let streamCount { out["streamCount"] = .int(Int64(streamCount)) }
        return out
    }

    static func truncated(_ text: String) -> String {
        text.count <= maxMessageCharacters ? text : String(text.prefix(maxMessageCharacters - 1)) + "…"
    }
}

/// Folds a connector's stdout, line by line, into a report. Lines that are not Airbyte
/// messages (a connector's stray prints) are ignored, as Airbyte does.
public struct ConnectorProbeOutput: Sendable {
    public let action: ConnectorProbeAction
    public private(set) var connectionStatus: AirbyteProtocol.ConnectionStatus?
    public private(set) var catalog: JSONValue?
    public private(set) var traceError: String?
    public private(set) var lastErrorLog: String?

    public init(action: ConnectorProbeAction) { self.action = action }

    public mutating func consume(line: some Collection<UInt8>) {
        guard let message = try? AirbyteMessage.decode(line) else { return }
        switch message {
        case .connectionStatus(let status): connectionStatus = connectionStatus ?? status
        case .catalog(let c): catalog = catalog ?? c
        case .trace(let t) where t.kind == .error: traceError = traceError ?? t.errorMessage
        case .log(let l) where ["ERROR", "FATAL"].contains(l.level.uppercased()): lastErrorLog = l.message
        default: break
        }
    }

    /// The verdict, and for a successful `discover` the streams summarized.
    public func result() -> (report: ConnectorProbeReport, streams: [DiscoveredStream]?) {
        let problem = traceError ?? lastErrorLog
        switch action {
        case .check:
            guard let status = connectionStatus else {
                return (ConnectorProbeReport(action: .check, succeeded: false,
                                             message: problem ?? "the connector exited without a CONNECTION_STATUS message"), nil)
            }
            return (ConnectorProbeReport(action: .check, succeeded: status.succeeded,
                                         message: status.message ?? (status.succeeded ? nil : problem ?? "the check failed without a message")), nil)
        case .discover:
            guard let catalog else {
                return (ConnectorProbeReport(action: .discover, succeeded: false,
                                             message: problem ?? "the connector exited without a CATALOG message"), nil)
            }
            do {
                let streams = try DiscoveredAirbyteStream.streams(ofCatalog: catalog).map(Self.summary)
                return (ConnectorProbeReport(action: .discover, succeeded: true, message: nil, streamCount: streams.count), streams)
            } catch {
                return (ConnectorProbeReport(action: .discover, succeeded: false, message: "invalid CATALOG: \(error.message)"), nil)
            }
        }
    }
}

extension ConnectorProbeOutput {
    /// A discovered stream as a Source's status shows it, with its top-level field names,
    /// which the Connection controller compares between discoveries (schema changes).
    static func summary(_ stream: DiscoveredAirbyteStream) -> DiscoveredStream {
        var summary = stream.summary
        summary.fields = fieldNames(stream.jsonSchema)
        return summary
    }

    /// The keys of a JSON schema's `properties`, sorted; nil without a `properties` object.
    static func fieldNames(_ jsonSchema: JSONValue) -> [String]? {
        jsonSchema["properties"].objectValue.map { $0.keys.sorted() }
    }
}

/// The `discover` result ConfigMap: created empty with the pod, filled by the orchestrator
/// with a merge patch, read and deleted by the controller.
public enum ConnectorProbeCatalogConfigMap {
    public static let streamsKey = "streams.json"

    public static func initial(name: String, namespace: String, labels: [String: String], ownerReferences: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)), "ownerReferences": ownerReferences,
            ],
            "data": .emptyObject,
        ]
    }

    public static func patch(streams: [DiscoveredStream]) throws -> JSONValue {
        ["data": .object([streamsKey: .string(try JSONValue(encoding: streams).serialized())])]
    }

    /// The streams, or nil when none were reported (or they cannot be read).
    public static func read(_ configMap: JSONValue) -> [DiscoveredStream]? {
        guard let text = configMap["data"][streamsKey].stringValue, let json = try? JSONValue.parse(text) else { return nil }
        return try? json.decode([DiscoveredStream].self)
    }
}
