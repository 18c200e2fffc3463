/// STATE messages: their kind, the key they checkpoint, and identity for matching echoes.
import KubeCore

/// What a state checkpoints: one stream (STREAM) or everything (GLOBAL and LEGACY).
public enum StateKey: Sendable, Hashable, CustomStringConvertible {
    case stream(StreamDescriptor)
    case global

    public var description: String {
        switch self {
        case .stream(let d): return "stream \(d)"
        case .global: return "global"
        }
    }
}

public struct StateMessage: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case legacy = "LEGACY", stream = "STREAM", global = "GLOBAL" }

    /// The `state` object as sent.
    public var json: JSONValue
    public init(json: JSONValue) { self.json = json }

    /// A state without `type` is LEGACY (the protocol's default).
    public var kind: Kind { json["type"].stringValue.flatMap(Kind.init(rawValue:)) ?? .legacy }

    public var key: StateKey {
        guard kind == .stream else { return .global }
        let d = json["stream"]["stream_descriptor"]
        return .stream(StreamDescriptor(name: d["name"].stringValue ?? "", namespace: d["namespace"].stringValue))
    }

    /// The state without the stats fields connectors add or rewrite on the way through,
    /// so a destination's echo matches the state the source sent.
    public var identity: JSONValue {
        var j = json
        j["sourceStats"] = .null
        j["destinationStats"] = .null
        return j
    }

    /// `sourceStats.recordCount` when the source reported it.
    public var sourceRecordCount: Double? { json["sourceStats"]["recordCount"].doubleValue }

    public static func stream(_ descriptor: StreamDescriptor, state: JSONValue, recordCount: Int? = nil) -> StateMessage {
        var d: JSONValue = ["name": .string(descriptor.name)]
        if let ns = descriptor.namespace { d["namespace"] = .string(ns) }
        var j: JSONValue = ["type": "STREAM", "stream": ["stream_descriptor": d, "stream_state": state]]
        if let recordCount { j["sourceStats"] = ["recordCount": .double(Double(recordCount))] }
        return StateMessage(json: j)
    }

    /// Splits the input state a connector receives with `--state` (an array of state
    /// objects, or one legacy blob) into per-stream states.
    public static func streamStates(fromInput input: JSONValue) -> [StreamDescriptor: JSONValue] {
        var out: [StreamDescriptor: JSONValue] = [:]
        for item in input.arrayValue ?? [] {
            let s = StateMessage(json: item)
            if case .stream(let d) = s.key { out[d] = item["stream"]["stream_state"] }
            if s.kind == .global {
                for st in item["global"]["stream_states"].arrayValue ?? [] {
                    let d = st["stream_descriptor"]
                    if let name = d["name"].stringValue {
                        out[StreamDescriptor(name: name, namespace: d["namespace"].stringValue)] = st["stream_state"]
                    }
                }
            }
        }
        return out
    }
}
