/// The built-in connectors, run in-process with files for stdin and stdout.
import Testing
import Foundation
import KubeCore
import AirbyteProtocol
@testable import FerryConnectors

/// Runs a built-in connector command; returns its exit code and output lines.
func runConnector(_ s: Scratch, _ name: String, _ action: String, config: JSONValue? = nil, catalog: JSONValue? = nil,
                  state: JSONValue? = nil, input: [String] = []) throws -> (code: Int32, lines: [String]) {
    let configPath = try config.map { try s.write("config.json", $0.serialized()) }
    let catalogPath = try catalog.map { try s.write("catalog.json", $0.serialized()) }
    let statePath = try state.map { try s.write("state.json", $0.serialized()) }
    let inputPath = try s.write("input.jsonl", input.map { $0 + "\n" }.joined())
    let outputPath = s.path("output.jsonl")
    let inFD = open(inputPath, O_RDONLY)
    let outFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer { close(inFD); close(outFD) }
    let code = BuiltinConnectors.run(name: name, action: action, configPath: configPath, catalogPath: catalogPath,
                                     statePath: statePath, input: inFD, output: outFD, emittedAt: 1)
    return (code, s.read("output.jsonl").split(separator: "\n").map(String.init))
}

func catalogJSON(_ streams: [(String, String, String)]) -> JSONValue {
    .object(["streams": .array(streams.map { name, sync, dest in
        ["stream": ["name": .string(name), "json_schema": [:], "source_defined_primary_key": [["id"]]],
         "sync_mode": .string(sync), "destination_sync_mode": .string(dest), "cursor_field": ["updated_at"]]
    })])
}

@Suite struct SampleSourceTests {
    @Test func specCheckAndDiscover() throws {
        let s = try Scratch()
        defer { s.remove() }
        let spec = try runConnector(s, "source-sample", "spec")
        #expect(spec.code == 0)
        #expect(try JSONValue.parse(spec.lines[0])["spec"]["connectionSpecification"]["properties"]["count"]["type"] == "integer")
        let good = try runConnector(s, "source-sample", "check", config: ["count": 10])
        #expect(try JSONValue.parse(good.lines[0])["connectionStatus"]["status"] == "SUCCEEDED")
        let bad = try runConnector(s, "source-sample", "check", config: ["count": "many"])
        let status = try JSONValue.parse(bad.lines[0])["connectionStatus"]
        #expect(status["status"] == "FAILED" && status["message"].stringValue?.contains("config.count") == true)
        let discover = try runConnector(s, "source-sample", "discover", config: [:])
        let streams = try JSONValue.parse(discover.lines[0])["catalog"]["streams"].arrayValue ?? []
        #expect(streams.compactMap { $0["name"].stringValue } == ["users", "products", "purchases"])
        #expect(streams[0]["supported_sync_modes"] == ["full_refresh", "incremental"] && streams[0]["default_cursor_field"] == ["updated_at"])
    }

    @Test func readIsDeterministicWithStateEveryNRecords() throws {
        let s = try Scratch()
        defer { s.remove() }
        let catalog = catalogJSON([("users", "incremental", "append"), ("purchases", "full_refresh", "overwrite")])
        let config: JSONValue = ["count": 5, "seed": 7, "state_every": 2]
        let first = try runConnector(s, "source-sample", "read", config: config, catalog: catalog)
        let second = try runConnector(s, "source-sample", "read", config: config, catalog: catalog)
        #expect(first.code == 0 && first.lines == second.lines)
        let messages = try first.lines.map { try AirbyteMessage.decode(Array($0.utf8)) }
        let users = messages.compactMap { m -> RecordMessage? in if case .record(let r) = m, r.stream.name == "users" { return r }; return nil }
        #expect(users.map { $0.data["id"] } == [1, 2, 3, 4, 5])
        #expect(users.map { $0.data["updated_at"].stringValue ?? "" } == users.map { $0.data["updated_at"].stringValue ?? "" }.sorted())
        #expect(users[0].data["updated_at"] == "2024-01-01T00:01:00Z")
        let states = messages.compactMap { m -> StateMessage? in if case .state(let st) = m { return st }; return nil }
        #expect(states.count == 6)
        #expect(states.map(\.sourceRecordCount) == [2, 2, 1, 2, 2, 1])
        // Every line is understood by the byte-level classifier the relay uses.
        for line in first.lines { if case .invalid = LineClassifier.classify(Array(line.utf8)) { Issue.record("\(line)") } }
        let other = try runConnector(s, "source-sample", "read", config: ["count": 5, "seed": 8, "state_every": 2], catalog: catalog)
        #expect(other.lines != first.lines)
    }

    @Test func incrementalReadFromStateEmitsOnlyLaterRecords() throws {
        let s = try Scratch()
        defer { s.remove() }
        let catalog = catalogJSON([("users", "incremental", "append"), ("products", "full_refresh", "overwrite")])
        let cursor: JSONValue = ["updated_at": "2024-01-01T00:02:00Z"]
        let state: JSONValue = [StateMessage.stream(StreamDescriptor(name: "users"), state: cursor).json,
                                StateMessage.stream(StreamDescriptor(name: "products"), state: cursor).json]
        let r = try runConnector(s, "source-sample", "read", config: ["count": 5], catalog: catalog, state: state)
        let records = try r.lines.compactMap { l -> RecordMessage? in if case .record(let rec) = try AirbyteMessage.decode(Array(l.utf8)) { return rec }; return nil }
        #expect(records.filter { $0.stream.name == "users" }.map { $0.data["id"] } == [3, 4, 5])
        // Full refresh ignores state.
        #expect(records.filter { $0.stream.name == "products" }.count == 5)
        let done = try runConnector(s, "source-sample", "read", config: ["count": 5], catalog: catalogJSON([("users", "incremental", "append")]),
                                    state: [StateMessage.stream(StreamDescriptor(name: "users"), state: ["updated_at": "2024-01-01T00:05:00Z"]).json])
        #expect(done.code == 0 && done.lines.isEmpty)
    }

    @Test(arguments: [("source-nope", "spec"), ("source-sample", "dance"), ("source-sample", "write"), ("destination-jsonl", "discover")])
    func badCommandsFailWithATraceError(name: String, action: String) throws {
        let s = try Scratch()
        defer { s.remove() }
        let r = try runConnector(s, name, action, config: [:])
        #expect(r.code == 1)
        guard case .trace(let t) = try AirbyteMessage.decode(Array((r.lines.last ?? "").utf8)) else { Issue.record("no trace"); return }
        #expect(t.kind == .error && t.failureType == .configError)
    }

    @Test func readWithoutCatalogIsAConfigError() throws {
        let s = try Scratch()
        defer { s.remove() }
        let r = try runConnector(s, "source-sample", "read", config: [:])
        #expect(r.code == 1 && r.lines.last?.contains("--catalog is required") == true)
    }
}

@Suite struct JSONLDestinationTests {
    func records(_ stream: String, _ items: [(Int, String)]) -> [String] {
        items.map { #"{"type":"RECORD","record":{"stream":"\#(stream)","data":{"id":\#($0.0),"v":"\#($0.1)"},"emitted_at":1}}"# }
    }

    func fileLines(_ s: Scratch, _ name: String) -> [String] { s.read("out/\(name)").split(separator: "\n").map(String.init) }

    @Test func writesOneFilePerStreamAndEchoesStateAfterItsRecords() throws {
        let s = try Scratch()
        defer { s.remove() }
        let config: JSONValue = ["destination_path": .string(s.path("out"))]
        let catalog = catalogJSON([("users", "full_refresh", "overwrite"), ("orders", "incremental", "append")])
        let stateLine = state("users", 2)
        let input = records("users", [(1, "a"), (2, "b")]) + records("orders", [(1, "x")]) + [stateLine] + records("ghosts", [(1, "?")])
        let r = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog, input: input)
        #expect(r.code == 0)
        #expect(r.lines.contains(stateLine))
        #expect(r.lines.contains { $0.contains("WARN") && $0.contains("ghosts") })
        #expect(fileLines(s, "users.jsonl") == [#"{"id":1,"v":"a"}"#, #"{"id":2,"v":"b"}"#])
        // Overwrite replaces; append adds.
        _ = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog,
                             input: records("users", [(3, "c")]) + records("orders", [(2, "y")]))
        #expect(fileLines(s, "users.jsonl") == [#"{"id":3,"v":"c"}"#])
        #expect(fileLines(s, "orders.jsonl") == [#"{"id":1,"v":"x"}"#, #"{"id":2,"v":"y"}"#])
    }

    @Test func appendDedupKeepsTheLatestRecordPerPrimaryKey() throws {
        let s = try Scratch()
        defer { s.remove() }
        let config: JSONValue = ["destination_path": .string(s.path("out"))]
        let catalog = catalogJSON([("users", "incremental", "append_dedup")])
        _ = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog, input: records("users", [(1, "a"), (2, "b"), (1, "c")]))
        _ = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog, input: records("users", [(2, "d"), (3, "e")]))
        #expect(fileLines(s, "users.jsonl") == [#"{"id":1,"v":"c"}"#, #"{"id":2,"v":"d"}"#, #"{"id":3,"v":"e"}"#])
    }

    func stamped(_ stream: String, _ items: [(Int, String, String)]) -> [String] {
        items.map { #"{"type":"RECORD","record":{"stream":"\#(stream)","data":{"id":\#($0.0),"v":"\#($0.1)","updated_at":"\#($0.2)"},"emitted_at":1}}"# }
    }

    @Test func overwriteDedupReplacesTheFileWithOneLinePerKeyLatestCursorWinning() throws {
        let s = try Scratch()
        defer { s.remove() }
        let config: JSONValue = ["destination_path": .string(s.path("out"))]
        let catalog = catalogJSON([("users", "incremental", "overwrite_dedup")])
        let first = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog,
                                     input: stamped("users", [(1, "a", "2024-01-01T00:00:01"), (2, "b", "2024-01-01T00:00:01")]))
        #expect(first.code == 0, "\(first.lines)")
        // The second run replaces the first run's rows; within it, key 1 arrives with an
        // older cursor after a newer one (the newer stays) and key 3 with equal cursors
        // (the later line wins), each at the key's first position.
        let input = stamped("users", [(1, "new", "2024-01-02T00:00:00"), (3, "x", "2024-01-02T00:00:00"),
                                      (1, "stale", "2024-01-01T12:00:00"), (3, "y", "2024-01-02T00:00:00")]) + [state("users", 1)]
        let second = try runConnector(s, "destination-jsonl", "write", config: config, catalog: catalog, input: input)
        #expect(second.code == 0 && second.lines.contains(state("users", 1)))
        #expect(fileLines(s, "users.jsonl") == [#"{"id":1,"updated_at":"2024-01-02T00:00:00","v":"new"}"#,
                                                #"{"id":3,"updated_at":"2024-01-02T00:00:00","v":"y"}"#])
    }

    @Test func dedupModesNeedAPrimaryKeyAndSpecListsThem() throws {
        let s = try Scratch()
        defer { s.remove() }
        let catalog: JSONValue = ["streams": [["stream": ["name": "users", "json_schema": [:]], "sync_mode": "full_refresh",
                                               "destination_sync_mode": "overwrite_dedup"]]]
        let r = try runConnector(s, "destination-jsonl", "write", config: ["destination_path": .string(s.path("out"))], catalog: catalog)
        #expect(r.code != 0 && r.lines.last?.contains("overwrite_dedup needs a primary key") == true)
        let spec = try runConnector(s, "destination-jsonl", "spec")
        #expect(spec.lines.first?.contains("overwrite_dedup") == true)
    }

    @Test(arguments: [(#""a""#, #""b""#, true), (#""b""#, #""a""#, false), ("1", "2.5", true), ("3", "2", false),
                      ("null", "1", false), (#""1""#, "2", false), (#""x""#, #""x""#, false)])
    func cursorOrdering(a: String, b: String, older: Bool) throws {
        #expect(JSONLDestination.cursorIsOlder(try JSONValue.parse(a), than: try JSONValue.parse(b)) == older)
    }

    @Test func checkReportsAnUnusablePath() throws {
        let s = try Scratch()
        defer { s.remove() }
        let ok = try runConnector(s, "destination-jsonl", "check", config: ["destination_path": .string(s.path("out"))])
        #expect(ok.lines.first?.contains("SUCCEEDED") == true)
        let bad = try runConnector(s, "destination-jsonl", "check", config: ["destination_path": "/proc/nope/x"])
        #expect(bad.lines.first?.contains("FAILED") == true)
        let missing = try runConnector(s, "destination-jsonl", "check", config: [:])
        #expect(missing.lines.first?.contains("destination_path") == true)
    }
}
