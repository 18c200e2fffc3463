/// `destination-postgres`'s pure parts: column types, casts, temporal checks, naming,
/// COPY escaping and the SQL it generates.
import Testing
import KubeCore
import AirbyteProtocol
@testable import FerryConnectors

@Suite struct PostgresTypingTests {
    static let columnCases: [(JSONValue, PostgresColumnType)] = [
        (["type": "integer"], .bigint),
        (["type": ["null", "number"]], .numeric),
        (["type": "number", "airbyte_type": "integer"], .bigint),
        (["type": "boolean"], .boolean),
        (["type": "string"], .text),
        (["type": "string", "format": "date-time"], .timestamptz),
        (["type": ["string", "null"], "format": "date"], .date),
        (["type": "object"], .jsonb),
        (["type": "array"], .jsonb),
        (["type": ["string", "integer"]], .jsonb),
        ([:], .jsonb),
    ]

    @Test(arguments: columnCases)
    func columnTypes(schema: JSONValue, type: PostgresColumnType) {
        #expect(PostgresColumnType.of(schema) == type)
    }

    @Test func columnsAreSortedAndSkipAirbyteNames() {
        let columns = PostgresTyping.columns(of: ["properties": ["b": ["type": "string"], "a": ["type": "integer"], "_airbyte_meta": ["type": "string"]]])
        #expect(columns == [PostgresColumn(name: "a", type: .bigint), PostgresColumn(name: "b", type: .text)])
    }

    @Test func casts() {
        typealias T = PostgresTyping
        #expect(T.cast(.int(42), to: .bigint) == .value("42"))
        #expect(T.cast(.double(3), to: .bigint) == .value("3"))
        #expect(T.cast(.double(3.5), to: .bigint) == .failed)
        #expect(T.cast("17", to: .bigint) == .value("17"))
        #expect(T.cast("abc", to: .bigint) == .failed)
        #expect(T.cast(.double(2.5), to: .numeric) == .value("2.5"))
        #expect(T.cast("-1.5e3", to: .numeric) == .value("-1.5e3"))
        #expect(T.cast("1.", to: .numeric) == .failed)
        #expect(T.cast("NaN", to: .numeric) == .failed)
        #expect(T.cast(.bool(true), to: .boolean) == .value("t"))
        #expect(T.cast("yes", to: .boolean) == .failed)
        #expect(T.cast(.int(5), to: .text) == .value("5"))
        #expect(T.cast("a\u{0}b", to: .text) == .value("ab"))
        #expect(T.cast(["k": "v\u{0}"], to: .jsonb) == .value(#"{"k":"v"}"#))
        #expect(T.cast(.null, to: .bigint) == .null)
        #expect(T.cast("2024-02-30T00:00:00Z", to: .timestamptz) == .failed)
        #expect(T.cast("2024-02-29", to: .date) == .value("2024-02-29"))
    }

    @Test(arguments: ["2024-01-01T00:00:00Z", "2024-01-01 12:30", "2024-12-31T23:59:59.123456+05:30", "2000-02-29T00:00:00-0800", "2024-01-01t00:00:00z"])
    func validTimestamps(text: String) { #expect(PostgresTemporal.isTimestamp(text)) }

    @Test(arguments: ["2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01", "yesterday", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+1"])
    func invalidTimestamps(text: String) { #expect(!PostgresTemporal.isTimestamp(text)) }

    @Test func naming() {
        #expect(PostgresNaming.quote(#"we"ird"#) == #""we""ird""#)
        #expect(PostgresNaming.literal("it's") == "'it''s'")
        let long = String(repeating: "é", count: 40)  // 80 bytes
        #expect(PostgresNaming.truncated(long).utf8.count == 62)
        let tmp = PostgresNaming.finalTable(long, temporary: true)
        #expect(tmp.utf8.count <= 63 && tmp.hasSuffix("_ferry_tmp"))
        #expect(PostgresNaming.rawTable(schema: "public", stream: "users", temporary: false) == "public_raw__stream_users")
    }

    @Test func stageRowsAreEscapedAndTyped() {
        var buffer = PostgresStageBuffer(columns: [PostgresColumn(name: "id", type: .bigint), PostgresColumn(name: "note", type: .text)])
        buffer.append(data: ["id": "x", "note": "tab\there\\"], emittedAt: 1_704_067_200_005, rawID: "00000000-0000-4000-8000-000000000000")
        let row = String(decoding: buffer.bytes, as: UTF8.self)
        let fields = row.dropLast().split(separator: "\t", omittingEmptySubsequences: false)
        #expect(fields.count == 7)
        #expect(fields[0] == "1")
        #expect(fields[2] == "2024-01-01T00:00:00.005Z")
        #expect(fields[4] == #"{"changes":[{"change":"NULLED","field":"id","reason":"DESTINATION_TYPECAST_ERROR"}]}"#)
        #expect(fields[5] == #"\N"#)
        #expect(fields[6] == #"tab\there\\"#)
        #expect(row.hasSuffix("\n") && buffer.count == 1)
    }

    @Test func uuidsAreVersion4() {
        var g = SystemRandomNumberGenerator()
        let a = PostgresStageBuffer.randomUUID(using: &g), b = PostgresStageBuffer.randomUUID(using: &g)
        #expect(a != b && a.count == 36)
        let chars = Array(a)
        #expect(chars[8] == "-" && chars[14] == "4" && "89ab".contains(chars[19]))
    }

    @Test func dedupNeedsATopLevelPrimaryKey() throws {
        let config = try PostgresDestinationConfig(["host": "h", "database": "d", "username": "u"])
        let noKey = ConfiguredStream(descriptor: StreamDescriptor(name: "s"), jsonSchema: ["properties": ["id": ["type": "integer"]]],
                                     destinationSyncMode: .appendDedup)
        #expect(throws: ConnectorError.self) { try PostgresStreamPlan(stream: noKey, index: 0, config: config) }
        var keyed = noKey
        keyed.primaryKey = [["id"]]
        let plan = try PostgresStreamPlan(stream: keyed, index: 0, config: config)
        #expect(plan.schema == "public" && plan.rawSchema == "airbyte_internal" && plan.cursor == nil)
        let sql = PostgresSQL.load(plan).joined(separator: ";")
        #expect(sql.contains("DISTINCT ON (c0)") && sql.contains(#"f."id" = w.c0"#))
    }

    @Test func configErrorsNeverEchoThePassword() {
        #expect(throws: ConnectorError.self) { try PostgresDestinationConfig(["host": "h", "database": "d"]) }
        #expect(throws: ConnectorError.self) { try PostgresDestinationConfig(["host": "h", "database": "d", "username": "u", "port": 70000]) }
        #expect(throws: ConnectorError.self) { try PostgresDestinationConfig(["host": "h", "database": "d", "username": "u", "ssl_mode": "verify-full"]) }
        let config = try? PostgresDestinationConfig(["host": "h", "database": "d", "username": "u", "password": "hunter22"])
        #expect(config?.redacting("password hunter22 failed") == "password ****** failed")
        #expect(config?.port == 5432 && config?.sslMode == .disable)
    }
}
