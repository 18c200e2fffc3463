/// THE ACCEPTANCE TEST of issue 5: the PyPI `source-faker` into `destination-postgres` via
/// `ferry run`: rows equal records emitted; a second run with the committed state moves
/// only new or updated records; append_dedup leaves one row per primary key; the
/// password (from a Secret manifest) never appears in the output.
import Foundation
import KubeCore
import KubeTestSupport
import Logging
import PostgresNIO
import Testing

@Suite(.enabled(if: ExternalResources.postgresEnabled && ExternalResources.connectorsEnabled))
struct FakerPostgresTests {
    static func manifest(faker: String, count: Int, db: RunTestDatabase, password: String) -> String {
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: warehouse-postgres}
        stringData: {password: \(password)}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: faker}
        spec:
          image: airbyte/source-faker:7.2.1
          command: [\(faker)]
          config: {count: \(count), seed: 42, records_per_slice: 25}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: warehouse}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-postgres]
          config: {host: \(db.host), port: \(db.port), database: \(db.database), schema: \(db.schema), raw_schema: \(db.rawSchema), username: \(db.user)}
          secretRefs:
            - path: /password
              secretKeyRef: {name: warehouse-postgres, key: password}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: faker-to-warehouse}
        spec:
          sourceRef: {name: faker}
          destinationRef: {name: warehouse}
          streams:
            - {name: users, syncMode: incremental, destinationSyncMode: append_dedup, cursorField: [updated_at], primaryKey: [[id]]}
        """
    }

    @Test func fakerToPostgresIncrementalDedup() async throws {
        guard let connectorPath = ExternalResources.connectorPath else { throw MissingExternalResource("FERRY_TEST_CONNECTOR_PATH") }
        let faker = connectorPath + "/source-faker"
        try await RunTestDatabase.withFresh { db in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            // Trust authentication accepts any password; it only has to stay secret.
            let password = "pw-\(UInt64.random(in: 1...UInt64.max))"
            let users = "\(db.schema).users"
            let raw = "\(db.rawSchema).\(db.schema)_raw__stream_users"

            try dir.write("m.yaml", Self.manifest(faker: faker, count: 60, db: db, password: password))
            let first = try await runFerry(["run", "-f", "m.yaml"], in: dir)
            #expect(first.code == 0, "\(first)")
            #expect(!first.stdout.contains(password) && !first.stderr.contains(password))
            let emitted1 = try #require(first.stream("users")?["recordsEmitted"].intValue)
            #expect(emitted1 == 60)
            #expect(first.stream("users")?["recordsCommitted"].intValue == emitted1)
            #expect(try await db.int("SELECT count(*) FROM \(users)") == emitted1)
            #expect(try await db.int("SELECT count(DISTINCT id) FROM \(users)") == emitted1)
            let loaded1 = try #require(try await db.text("SELECT max(_airbyte_loaded_at)::text FROM \(raw)"))

            let state = try JSONValue.parse(Array((dir.read(".ferry/state/default/faker-to-warehouse/state.json") ?? "").utf8))
            let usersState = state.arrayValue?.first { $0["stream"]["stream_descriptor"]["name"] == "users" }
            let cursor1 = try #require(usersState?["stream"]["stream_state"]["updated_at"].stringValue, "state: \(state)")

            // More users at the source; the committed state goes with the second run.
            try dir.write("m.yaml", Self.manifest(faker: faker, count: 90, db: db, password: password))
            let second = try await runFerry(["run", "-f", "m.yaml"], in: dir)
            #expect(second.code == 0, "\(second)")
            #expect(!second.stdout.contains(password) && !second.stderr.contains(password))
            let emitted2 = try #require(second.stream("users")?["recordsEmitted"].intValue)
            #expect(second.stream("users")?["recordsCommitted"].intValue == emitted2)
            // What the second run moved: exactly the summary's records, every one at or past the first cursor.
            let moved = "FROM \(raw) WHERE _airbyte_loaded_at > '\(loaded1)'::timestamptz"
            #expect(try await db.int("SELECT count(*) \(moved)") == emitted2)
            #expect(try await db.int("SELECT count(*) \(moved) AND (_airbyte_data->>'updated_at')::timestamptz < '\(cursor1)'::timestamptz") == 0)
            #expect(try await db.int("SELECT count(*) FROM \(raw)") == emitted1 + emitted2)
            // append_dedup: one row per primary key, the new users included.
            #expect(try await db.int("SELECT count(*) FROM \(users)") == 90)
            #expect(try await db.int("SELECT count(DISTINCT id) FROM \(users)") == 90)
            #expect(try await db.int("SELECT count(*) FROM \(users) WHERE id > 60") == 30)
        }
    }
}

/// A fresh schema (and raw schema) on the test server, dropped afterwards.
struct RunTestDatabase: Sendable {
    let host: String
    let port: Int
    let user: String
    let database: String
    let schema: String
    var rawSchema: String { schema + "_raw" }

    static let logger = Logger(label: "ferry.tests.run")

    static func withFresh(_ body: (RunTestDatabase) async throws -> Void) async throws {
        guard let text = ExternalResources.postgresURL, let url = URLComponents(string: text), let host = url.host, let port = url.port else {
            throw MissingExternalResource("FERRY_TEST_POSTGRES_URL")
        }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let db = RunTestDatabase(host: host, port: port, user: url.user ?? "postgres", database: path.isEmpty ? "postgres" : path,
                                 schema: "run_\(UInt32.random(in: 0...UInt32.max))")
        do {
            try await body(db)
        } catch {
            try? await db.drop()
            throw error
        }
        try await db.drop()
    }

    func drop() async throws {
        _ = try await rows("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        _ = try await rows("DROP SCHEMA IF EXISTS \(rawSchema) CASCADE")
    }

    func rows(_ sql: String) async throws -> [[String?]] {
        let c = try await PostgresConnection.connect(
            configuration: .init(host: host, port: port, username: user, password: nil, database: database, tls: .disable),
            id: 1, logger: Self.logger)
        do {
            var out: [[String?]] = []
            for try await row in try await c.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger) {
                out.append(try row.map { try $0.decode(String?.self) })
            }
            try await c.close()
            return out
        } catch {
            try? await c.close()
            throw error
        }
    }

    func text(_ sql: String) async throws -> String? { try await rows(sql).first?.first ?? nil }
    func int(_ sql: String) async throws -> Int64? { try await text("SELECT (\(sql))::text").flatMap { Int64($0) } }
}
