/// `destination-postgres` against the test PostgreSQL server: spec and check, the four
/// sync modes in both tables, dedup order, type-cast failures in `_airbyte_meta`.
import Testing
import Foundation
import KubeCore
import KubeTestSupport
@testable import FerryConnectors

@Suite(.enabled(if: ExternalResources.postgresEnabled))
struct PostgresDestinationTests {
    @Test func specMarksThePasswordSecret() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let out = try await runConnector("destination-postgres", "spec", config: db.config)
            #expect(out.code == 0)
            let spec = try JSONValue.parse(out.lines[0])["spec"]
            #expect(spec["connectionSpecification"]["properties"]["password"]["airbyte_secret"] == true)
            #expect(spec["supported_destination_sync_modes"].arrayValue?.count == 4)
        }
    }

    @Test func checkSucceedsAndFailsWithoutThePassword() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let good = try await runConnector("destination-postgres", "check", config: db.config)
            #expect(try JSONValue.parse(good.lines[0])["connectionStatus"]["status"] == "SUCCEEDED")
            var bad = db.config
            bad["port"] = 1  // nothing listens there
            bad["password"] = "pa55-w0rd-secret"
            let failed = try await runConnector("destination-postgres", "check", config: bad)
            let status = try JSONValue.parse(failed.lines[0])["connectionStatus"]
            #expect(status["status"] == "FAILED")
            #expect(status["message"].stringValue?.contains("127.0.0.1:1") == true)
            #expect(!failed.lines.joined().contains("pa55-w0rd-secret"))
            // write fails the same way: TRACE ERROR and a non-zero exit.
            let write = try await runConnector("destination-postgres", "write", config: bad, catalog: testCatalog([("users", "append")]))
            #expect(write.code != 0)
            #expect(try JSONValue.parse(write.lines.last ?? "")["trace"]["error"]["failure_type"] == "config_error")
            #expect(!write.lines.joined().contains("pa55-w0rd-secret"))
        }
    }

    @Test func appendTypesValuesAndKeepsEveryRecord() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "append")])
            let input = [
                recordLine("users", ["id": 1, "updated_at": "2024-01-01T00:00:00Z", "name": "ann", "score": 1.5,
                                     "active": true, "born": "1990-05-17", "tags": ["a", "b"], "extra": "kept in raw"]),
                recordLine("users", ["id": 2, "updated_at": "2024-01-01T00:01:00Z", "name": "tab\tand\\slash"]),
                stateLine("users", 2),
            ]
            for _ in 0..<2 {
                let out = try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: input)
                #expect(out.code == 0)
                #expect(out.lines == [input[2]])
            }
            let final = "\(db.schema).users", raw = "\(db.rawSchema).\(db.schema)_raw__stream_users"
            #expect(try await db.count(final) == 4)
            #expect(try await db.count(raw) == 4)
            let row = try await db.rows("""
                SELECT id::text, updated_at::text, name, score::text, active::text, born::text, tags::text, _airbyte_meta::text
                FROM \(final) WHERE id = 1 LIMIT 1
                """)
            #expect(row == [["1", "2024-01-01 00:00:00+00", "ann", "1.5", "true", "1990-05-17", #"["a", "b"]"#, #"{"changes": []}"#]])
            #expect(try await db.rows("SELECT name FROM \(final) WHERE id = 2 LIMIT 1") == [["tab\tand\\slash"]])
            #expect(try await db.rows("SELECT _airbyte_data->>'extra' FROM \(raw) LIMIT 1") == [["kept in raw"]])
            // Raw and final rows share their raw id; loaded_at is set.
            #expect(try await db.count("\(final) f JOIN \(raw) r USING (_airbyte_raw_id) WHERE r._airbyte_loaded_at IS NOT NULL") == 4)
        }
    }

    @Test func overwriteReplacesTheTableAtTheEnd() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "overwrite")])
            let first = (1...3).map { recordLine("users", user($0, $0)) }
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: first).code == 0)
            #expect(try await db.count("\(db.schema).users") == 3)
            let second = [recordLine("users", user(9, 9)), stateLine("users", 1), recordLine("users", user(10, 10))]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: second).code == 0)
            #expect(try await db.rows("SELECT id::text AS i FROM \(db.schema).users ORDER BY id") == [["9"], ["10"]])
            #expect(try await db.count("\(db.rawSchema).\(db.schema)_raw__stream_users") == 2)
            #expect(try await !db.tableExists(db.schema, "users_ferry_tmp"))
        }
    }

    @Test func appendDedupKeepsTheLatestCursorPerKey() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "append_dedup")])
            let first = [
                recordLine("users", user(1, 5, name: "a-newest")),
                recordLine("users", user(1, 1, name: "a-old")),  // older cursor arriving later: loses
                recordLine("users", user(2, 3, name: "b-first")),
                recordLine("users", user(2, 3, name: "b-second")),  // same cursor, same extraction: later wins
                stateLine("users", 1),
                recordLine("users", user(3, 1, name: "c")),
            ]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: first).code == 0)
            let second = [
                recordLine("users", user(1, 2, name: "a-stale")),  // older than the stored row: loses
                recordLine("users", user(3, 4, name: "c-updated")),
                recordLine("users", ["id": 4, "updated_at": "not a time", "name": "d"]),
                recordLine("users", ["id": 5, "updated_at": "2024-01-01T00:01:00Z", "name": "e-early"], emittedAt: 1),
                recordLine("users", ["id": 5, "updated_at": "2024-01-01T00:01:00Z", "name": "e-late"], emittedAt: 2),
            ]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: second).code == 0)
            let rows = try await db.rows("SELECT id::text, name FROM \(db.schema).users ORDER BY id")
            #expect(rows == [["1", "a-newest"], ["2", "b-second"], ["3", "c-updated"], ["4", "d"], ["5", "e-late"]])
            #expect(try await db.count("\(db.rawSchema).\(db.schema)_raw__stream_users") == 10)
        }
    }

    @Test func overwriteDedupDeduplicatesWithinTheRun() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "overwrite_dedup")])
            let old = [recordLine("users", user(7, 1))]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: old).code == 0)
            let input = [recordLine("users", user(1, 1, name: "x")), stateLine("users", 1),
                         recordLine("users", user(1, 2, name: "y")), recordLine("users", user(2, 1, name: "z"))]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: input).code == 0)
            #expect(try await db.rows("SELECT id::text, name FROM \(db.schema).users ORDER BY id") == [["1", "y"], ["2", "z"]])
            #expect(try await db.count("\(db.rawSchema).\(db.schema)_raw__stream_users") == 3)
        }
    }

    @Test func valuesThatDoNotCastAreNulledInMeta() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "append")])
            let input = [
                recordLine("users", ["id": "seven", "updated_at": "2024-02-30T00:00:00Z", "score": "lots", "active": "maybe",
                                     "born": "1990-1-1", "name": "nul\u{0}char"]),
                recordLine("users", [1, 2, 3]),
            ]
            let out = try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: input)
            #expect(out.code == 0)
            let t = "\(db.schema).users"
            let rows = try await db.rows("""
                SELECT id::text, updated_at::text, score::text, active::text, born::text, name,
                       (SELECT string_agg(c->>'field', ',' ORDER BY c->>'field') FROM jsonb_array_elements(_airbyte_meta->'changes') c)
                FROM \(t) ORDER BY _airbyte_meta::text
                """)
            #expect(rows.count == 2)
            #expect(rows.contains([nil, nil, nil, nil, nil, "nulchar", "active,born,id,score,updated_at"]))
            #expect(rows.contains([nil, nil, nil, nil, nil, nil, "_airbyte_data"]))
            #expect(try await db.rows("SELECT jsonb_typeof(_airbyte_data) FROM \(db.rawSchema).\(db.schema)_raw__stream_users ORDER BY 1") == [["array"], ["object"]])
        }
    }

    @Test func recordsOfUnknownStreamsAreSkippedWithAWarning() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let out = try await runConnector("destination-postgres", "write", config: db.config, catalog: testCatalog([("users", "append")]),
                                             input: [recordLine("ghosts", ["id": 1]), recordLine("users", user(1, 1))])
            #expect(out.code == 0)
            #expect(out.lines.count == 1 && out.lines[0].contains("WARN") && out.lines[0].contains("ghosts"))
            #expect(try await db.count("\(db.schema).users") == 1)
        }
    }
}
