/// Fully decoded Airbyte messages, for the rare lines the relay must understand
/// (STATE, TRACE, LOG, CONTROL, ...) and for connectors writing messages.
import KubeCore

/// One Airbyte protocol message. Payloads keep the original JSON so nothing is lost.
public enum AirbyteMessage: Sendable, Hashable {
    case record(RecordMessage)
    case state(StateMessage)
    case log(LogMessage)
    case trace(TraceMessage)
    case control(ControlMessage)
    case spec(JSONValue)
    case connectionStatus(ConnectionStatus)
    case catalog(JSONValue)

    /// Why a line could not be decoded as an Airbyte message.
    public struct DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { "decoding Airbyte message: \(message)" }
    }

    public static func decode(_ line: some Collection<UInt8>) throws(DecodingError) -> AirbyteMessage {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { throw DecodingError(message: error.description) }
        return try decode(value)
    }

    public static func decode(_ value: JSONValue) throws(DecodingError) -> AirbyteMessage {
        guard let typeName = value["type"].stringValue else { throw DecodingError(message: "no string field \"type\"") }
        guard let type = AirbyteMessageType(rawValue: typeName) else { throw DecodingError(message: "unknown message type \"\(typeName)\"") }
        func payload(_ key: String) throws(DecodingError) -> JSONValue {
            let p = value[key]
            guard p.objectValue != nil else { throw DecodingError(message: "\(typeName) message without object \"\(key)\"") }
            return p
        }
        switch type {
        case .record:
            let r = try payload("record")
            guard let stream = r["stream"].stringValue else { throw DecodingError(message: "RECORD without record.stream") }
            return .record(RecordMessage(stream: StreamDescriptor(name: stream, namespace: r["namespace"].stringValue),
                                         data: r["data"], emittedAt: r["emitted_at"].intValue ?? 0))
        case .state: return .state(StateMessage(json: try payload("state")))
        case .log:
            let l = try payload("log")
            return .log(LogMessage(level: l["level"].stringValue ?? "INFO", message: l["message"].stringValue ?? ""))
        case .trace: return .trace(TraceMessage(json: try payload("trace")))
        case .control: return .control(ControlMessage(json: try payload("control")))
        case .spec: return .spec(try payload("spec"))
        case .connectionStatus:
            let c = try payload("connectionStatus")
            return .connectionStatus(ConnectionStatus(succeeded: c["status"].stringValue == "SUCCEEDED", message: c["message"].stringValue))
        case .catalog: return .catalog(try payload("catalog"))
        }
    }

    /// The message as JSON, in the protocol's shape.
    public var json: JSONValue {
        switch self {
        case .record(let r):
            var rec: JSONValue = ["stream": .string(r.stream.name), "data": r.data, "emitted_at": .int(r.emittedAt)]
            if let ns = r.stream.namespace { rec["namespace"] = .string(ns) }
            return ["type": "RECORD", "record": rec]
        case .state(let s): return ["type": "STATE", "state": s.json]
        case .log(let l): return ["type": "LOG", "log": ["level": .string(l.level), "message": .string(l.message)]]
        case .trace(let t): return ["type": "TRACE", "trace": t.json]
        case .control(let c): return ["type": "CONTROL", "control": c.json]
        case .spec(let s): return ["type": "SPEC", "spec": s]
        case .connectionStatus(let c):
            var status: JSONValue = ["status": .string(c.succeeded ? "SUCCEEDED" : "FAILED")]
            if let m = c.message { status["message"] = .string(m) }
            return ["type": "CONNECTION_STATUS", "connectionStatus": status]
        case .catalog(let c): return ["type": "CATALOG", "catalog": c]
        }
    }

    /// One JSON line (without the newline).
    public var line: String { json.serialized() }
}

public struct RecordMessage: Sendable, Hashable {
    public var stream: StreamDescriptor
    public var data: JSONValue
    public var emittedAt: Int64
    public init(stream: StreamDescriptor, data: JSONValue, emittedAt: Int64) {
        self.stream = stream
        self.data = data
        self.emittedAt = emittedAt
    }
}

public struct LogMessage: Sendable, Hashable {
    public var level: String
    public var message: String
    public init(level: String, message: String) {
        self.level = level
        self.message = message
    }
}

public struct ConnectionStatus: Sendable, Hashable {
    public var succeeded: Bool
    public var message: String?
    public init(succeeded: Bool, message: String?) {
        self.succeeded = succeeded
        self.message = message
    }
}

/// `failure_type` of a TRACE ERROR.
public enum FailureType: String, Sendable, Hashable {
    case configError = "config_error"
    case systemError = "system_error"
    case transientError = "transient_error"
}

public struct TraceMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case error = "ERROR", estimate = "ESTIMATE", streamStatus = "STREAM_STATUS", analytics = "ANALYTICS", unknown }
    public var json: JSONValue
    public init(json: JSONValue) { self.json = json }

    public var kind: Kind { json["type"].stringValue.flatMap(Kind.init(rawValue:)) ?? .unknown }
    public var errorMessage: String? { json["error"]["message"].stringValue }
    public var internalMessage: String? { json["error"]["internal_message"].stringValue }
    /// Unspecified or unknown failure types count as system errors, as in Airbyte.
    public var failureType: FailureType {
        json["error"]["failure_type"].stringValue.flatMap(FailureType.init(rawValue:)) ?? .systemError
    }
    /// The stream a STREAM_STATUS or ESTIMATE is about.
    public var stream: StreamDescriptor? {
        let d = kind == .streamStatus ? json["stream_status"]["stream_descriptor"] : json["estimate"]
        guard let name = d["name"].stringValue else { return nil }
        return StreamDescriptor(name: name, namespace: d["namespace"].stringValue)
    }
    public var streamStatus: String? { json["stream_status"]["status"].stringValue }

    public static func error(_ message: String, failureType: FailureType, emittedAt: Int64 = 0) -> TraceMessage {
        TraceMessage(json: ["type": "ERROR", "emitted_at": .int(emittedAt),
                            "error": ["message": .string(message), "failure_type": .string(failureType.rawValue)]])
    }
}

public struct ControlMessage: Sendable, Hashable {
    public var json: JSONValue
    public init(json: JSONValue) { self.json = json }
    /// The new connector configuration of a CONNECTOR_CONFIG control message.
    public var connectorConfig: JSONValue? {
        json["type"].stringValue == "CONNECTOR_CONFIG" ? json["connectorConfig"]["config"] : nil
    }
}
