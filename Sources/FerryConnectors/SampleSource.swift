/// `source-sample`: deterministic synthetic users, products and purchases with an
/// `updated_at` cursor, STATE every N records, and incremental reads from a state.
import AirbyteProtocol
import KubeCore

public enum SampleSource {
    public static let streamNames = ["users", "products", "purchases"]
    /// Record i of every stream was updated at base + i minutes.
    static let baseEpoch: Int64 = 1_704_067_200  // 2024-01-01T00:00:00Z

    struct Config {
        var count: Int
        var seed: UInt64
        var stateEvery: Int

        init(_ json: JSONValue) throws(ConnectorError) {
            func integer(_ key: String, default value: Int64, minimum: Int64) throws(ConnectorError) -> Int64 {
                let v = json[key]
                if v.isNull { return value }
                guard let i = v.intValue, i >= minimum else { throw ConnectorError("config.\(key) must be an integer of at least \(minimum), got \(v.serialized())") }
                return i
            }
            guard json.objectValue != nil else { throw ConnectorError("config must be a JSON object") }
            count = Int(try integer("count", default: 1000, minimum: 0))
            seed = UInt64(bitPattern: try integer("seed", default: 0, minimum: Int64.min))
            stateEvery = Int(try integer("state_every", default: 1000, minimum: 1))
        }
    }

    public static let connectionSpecification: JSONValue = [
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Sample Source Spec",
        "type": "object",
        "properties": [
            "count": ["type": "integer", "minimum": 0, "default": 1000, "description": "Records per stream."],
            "seed": ["type": "integer", "default": 0, "description": "Same seed, same data."],
            "state_every": ["type": "integer", "minimum": 1, "default": 1000, "description": "Emit a STATE after this many records of a stream."],
        ],
    ]

    public static func spec() -> AirbyteMessage {
        .spec(["documentationUrl": "https://ferry.dev/connectors/source-sample", "connectionSpecification": connectionSpecification])
    }

    public static func check(config: JSONValue) -> AirbyteMessage {
        do {
            _ = try Config(config)
            return .connectionStatus(ConnectionStatus(succeeded: true, message: nil))
        } catch {
            return .connectionStatus(ConnectionStatus(succeeded: false, message: error.message))
        }
    }

    static func schema(_ properties: [String: String]) -> JSONValue {
        .object(["type": "object", "$schema": "http://json-schema.org/draft-07/schema#",
                 "properties": .object(properties.mapValues { t -> JSONValue in
                     t == "date-time" ? ["type": "string", "format": "date-time"] : ["type": .string(t)]
                 })])
    }

    public static let schemas: [String: JSONValue] = [
        "users": schema(["id": "integer", "name": "string", "email": "string", "age": "integer", "created_at": "date-time", "updated_at": "date-time"]),
        "products": schema(["id": "integer", "make": "string", "model": "string", "price": "number", "created_at": "date-time", "updated_at": "date-time"]),
        "purchases": schema(["id": "integer", "user_id": "integer", "product_id": "integer", "quantity": "integer", "purchased_at": "date-time", "updated_at": "date-time"]),
    ]

    public static func catalog() -> JSONValue {
        .object(["streams": .array(streamNames.map { name in
            ["name": .string(name), "json_schema": schemas[name] ?? .emptyObject,
             "supported_sync_modes": ["full_refresh", "incremental"], "source_defined_cursor": true,
             "default_cursor_field": ["updated_at"], "source_defined_primary_key": [["id"]]]
        })])
    }

    public static func discover(config: JSONValue) throws(ConnectorError) -> AirbyteMessage {
        _ = try Config(config)
        return .catalog(catalog())
    }

    static let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"]
    static let lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth"]
    static let makes = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark"]
    static let models = ["One", "Pro", "Max", "Mini", "Air", "Ultra", "Lite"]

    /// The `data` object of record `i` (1-based) of a stream, as JSON text. The same
    /// (seed, stream, i) always gives the same record, whatever the read started from.
    static func data(stream: String, index i: Int, config: Config) -> String {
        var rng = SplitMix64(seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(stream.utf8.count &* 1_000_003) &+ UInt64(i))
        let updated = rfc3339(baseEpoch + Int64(i) * 60)
        switch stream {
        case "users":
            let first = firstNames[Int(rng.next() % 10)], last = lastNames[Int(rng.next() % 10)]
            let created = rfc3339(baseEpoch - Int64(rng.next() % 31_536_000))
            return #"{"id":\#(i),"name":"\#(first) \#(last)","email":"\#(first.lowercased()).\#(last.lowercased())\#(i)@example.com","age":\#(18 + rng.next() % 60),"created_at":"\#(created)","updated_at":"\#(updated)"}"#
        case "products":
            let cents = 100 + rng.next() % 99_900
            let created = rfc3339(baseEpoch - Int64(rng.next() % 31_536_000))
            return #"{"id":\#(i),"make":"\#(makes[Int(rng.next() % 6)])","model":"\#(models[Int(rng.next() % 7)])","price":\#(cents / 100).\#(cents % 100 < 10 ? "0" : "")\#(cents % 100),"created_at":"\#(created)","updated_at":"\#(updated)"}"#
        default:
            let n = UInt64(max(config.count, 1))
            return #"{"id":\#(i),"user_id":\#(1 + rng.next() % n),"product_id":\#(1 + rng.next() % n),"quantity":\#(1 + rng.next() % 5),"purchased_at":"\#(updated)","updated_at":"\#(updated)"}"#
        }
    }

    /// Emits the configured streams' records (and STATE every `state_every` records and
    /// at the end of each stream) to `output`.
    static func read(config json: JSONValue, catalog: ConfiguredCatalog, state: JSONValue?, output: LineOutput, emittedAt: Int64) throws(ConnectorError) {
        let config = try Config(json)
        let states = state.map { StateMessage.streamStates(fromInput: $0) } ?? [:]
        for configured in catalog.streams {
            let d = configured.descriptor
            guard d.namespace == nil, streamNames.contains(d.name) else { throw ConnectorError("the catalog names stream \(d), which source-sample does not have") }
            var first = 1
            if configured.syncMode == .incremental, let cursor = states[d]?["updated_at"].stringValue {
                // Records are one minute apart from the base: skip those at or before the cursor.
                for i in 1...max(config.count, 1) where rfc3339(baseEpoch + Int64(i) * 60) > cursor { first = i; break }
                if rfc3339(baseEpoch + Int64(config.count) * 60) <= cursor { first = config.count + 1 }
            }
            let prefix = #"{"type":"RECORD","record":{"stream":"\#(d.name)","data":"#
            let suffix = #","emitted_at":\#(emittedAt)}}"#
            var sinceState = 0
            var i = first
            while i <= config.count {
                try output.write(prefix + data(stream: d.name, index: i, config: config) + suffix)
                sinceState += 1
                if sinceState == config.stateEvery || i == config.count {
                    let cursor: JSONValue = ["updated_at": .string(rfc3339(baseEpoch + Int64(i) * 60))]
                    try output.write(.state(.stream(d, state: cursor, recordCount: sinceState)))
                    sinceState = 0
                }
                i += 1
            }
        }
        try output.flush()
    }
}
