/// Test support for `destination-postgres`: a fresh schema per test on the test server,
/// a separate SQL connection for assertions, and the connector run in-process on its own
/// thread (it blocks while it waits for PostgreSQL) or as the `ferry` executable.
import Foundation
import KubeCore
import KubeTestSupport
import Logging
import PostgresNIO
@testable import FerryConnectors

/// A scratch directory, removed by `remove()`.
struct TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-pg-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    @discardableResult func write(_ name: String, _ text: String) throws -> String {
        let p = path + "/" + name
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The test server, with one schema (and one raw schema) created for the test.
struct TestDatabase: Sendable {
    let host: String
    let port: Int
    let user: String
    let database: String
    let schema: String
    var rawSchema: String { schema + "_raw" }

    /// The connector's config for this test's schemas.
    var config: JSONValue {
        ["host": .string(host), "port": .int(Int64(port)), "database": .string(database), "username": .string(user),
         "schema": .string(schema), "raw_schema": .string(rawSchema)]
    }

    static func withFresh(_ body: (TestDatabase) async throws -> Void) async throws {
        guard let text = ExternalResources.postgresURL, let url = URLComponents(string: text), let host = url.host, let port = url.port else {
            throw MissingExternalResource("FERRY_TEST_POSTGRES_URL")
        }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let db = TestDatabase(host: host, port: port, user: url.user ?? "postgres", database: path.isEmpty ? "postgres" : path,
                              schema: "t_\(UInt32.random(in: 0...UInt32.max))")
        do {
            try await body(db)
        } catch {
            try? await db.drop()
            throw error
        }
        try await db.drop()
    }

    func drop() async throws {
        try await withConnection { c in
            for s in [schema, rawSchema] { _ = try await c.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(s) CASCADE"), logger: Self.logger).collect() }
        }
    }

    static let logger = Logger(label: "ferry.tests.postgres")

    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let c = try await PostgresConnection.connect(
            configuration: .init(host: host, port: port, username: user, password: nil, database: database, tls: .disable),
            id: 7, logger: Self.logger)
        do {
            let result = try await body(c)
            try await c.close()
            return result
        } catch {
            try? await c.close()
            throw error
        }
    }

    /// Every row of `sql` as text columns (NULL as nil).
    func rows(_ sql: String) async throws -> [[String?]] {
        try await withConnection { c in
            var out: [[String?]] = []
            for try await row in try await c.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger) {
                out.append(try row.map { cell in try cell.decode(String?.self) })
            }
            return out
        }
    }

    func count(_ table: String) async throws -> Int {
        Int(try await rows("SELECT count(*)::text FROM \(table)").first?.first??.description ?? "") ?? -1
    }

    func tableExists(_ schema: String, _ table: String) async throws -> Bool {
        try await rows("SELECT to_regclass('\"\(schema)\".\"\(table)\"')::text").first?.first ?? nil != nil
    }
}

/// Runs a built-in connector in-process on its own thread with files for stdin and stdout.
func runConnector(_ name: String, _ action: String, config: JSONValue, catalog: JSONValue? = nil,
                  input: [String] = []) async throws -> (code: Int32, lines: [String]) {
    let dir = try TempDir()
    defer { dir.remove() }
    let configPath = try dir.write("config.json", config.serialized())
    let catalogPath = try catalog.map { try dir.write("catalog.json", $0.serialized()) }
    let inputPath = try dir.write("input.jsonl", input.map { $0 + "\n" }.joined())
    let outputPath = dir.path + "/output.jsonl"
    let code: Int32 = await withCheckedContinuation { continuation in
        let thread = Thread {
            let inFD = open(inputPath, O_RDONLY)
            let outFD = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            let code = BuiltinConnectors.run(name: name, action: action, configPath: configPath, catalogPath: catalogPath,
                                             statePath: nil, input: inFD, output: outFD, emittedAt: 1)
            close(inFD)
            close(outFD)
            continuation.resume(returning: code)
        }
        thread.start()
    }
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return (code, output.split(separator: "\n").map(String.init))
}

/// A configured catalog of streams with `id` (integer primary key), `updated_at`
/// (date-time cursor) and the given extra properties.
func testCatalog(_ streams: [(name: String, mode: String)], extra: JSONValue = [:]) -> JSONValue {
    var properties: JSONValue = ["id": ["type": "integer"], "updated_at": ["type": "string", "format": "date-time"],
                                 "name": ["type": ["null", "string"]], "score": ["type": "number"],
                                 "active": ["type": "boolean"], "born": ["type": "string", "format": "date"],
                                 "tags": ["type": "array"]]
    for (k, v) in extra.objectValue ?? [:] { properties[k] = v }
    return .object(["streams": .array(streams.map { s in
        ["stream": ["name": .string(s.name), "json_schema": ["type": "object", "properties": properties],
                    "supported_sync_modes": ["full_refresh", "incremental"], "source_defined_primary_key": [["id"]]],
         "sync_mode": "incremental", "destination_sync_mode": .string(s.mode), "cursor_field": ["updated_at"]]
    })])
}

func recordLine(_ stream: String, _ data: JSONValue, emittedAt: Int64 = 1_700_000_000_000) -> String {
    JSONValue.object(["type": "RECORD", "record": ["stream": .string(stream), "data": data, "emitted_at": .int(emittedAt)]]).serialized()
}

func stateLine(_ stream: String, _ position: Int) -> String {
    JSONValue.object(["type": "STATE", "state": ["type": "STREAM", "stream": ["stream_descriptor": ["name": .string(stream)],
                                                                             "stream_state": ["position": .int(Int64(position))]]]]).serialized()
}

func user(_ id: Int, _ minute: Int, name: String = "u") -> JSONValue {
    ["id": .int(Int64(id)), "updated_at": .string("2024-01-01T00:\(minute < 10 ? "0" : "")\(minute):00Z"), "name": .string(name)]
}

func streamStatusLine(_ stream: String, _ status: String) -> String {
    JSONValue.object(["type": "TRACE", "trace": ["type": "STREAM_STATUS", "emitted_at": 1,
                                                 "stream_status": ["stream_descriptor": ["name": .string(stream)], "status": .string(status)]]]).serialized()
}
