/// A stream's records waiting for the next load, as rows of the stage table in COPY
/// text format: typed and cast on arrival, so a load is one COPY plus two statements.
import AirbyteProtocol
import KubeCore

struct PostgresStageBuffer: Sendable {
    let columns: [PostgresColumn]
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0
    /// Arrival order within the run: the last tie-breaker of dedup.
    private var sequence: Int64 = 0
    /// Sources stamp many records with the same millisecond: format it once.
    private var lastMillis: Int64?
    private var lastStamp = ""

    init(columns: [PostgresColumn]) { self.columns = columns }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Appends one record's stage row: seq, raw id, extracted at, data, meta, typed columns.
    mutating func append(data: JSONValue, emittedAt: Int64, rawID: String) {
        sequence += 1
        count += 1
        bytes.append(contentsOf: String(sequence).utf8)
        bytes.append(0x09)
        bytes.append(contentsOf: rawID.utf8)
        bytes.append(0x09)
        if lastMillis != emittedAt {
            lastMillis = emittedAt
            lastStamp = Self.timestamp(millis: emittedAt)
        }
        bytes.append(contentsOf: lastStamp.utf8)
        bytes.append(0x09)
        PostgresStageBuffer.appendEscaped(PostgresTyping.jsonbText(data), to: &bytes)
        var changes: [JSONValue] = []
        var typed: [PostgresTyping.Cast] = []
        typed.reserveCapacity(columns.count)
        if case .object(let object) = data {
            for column in columns {
                let cast = PostgresTyping.cast(object[column.name] ?? .null, to: column.type)
                if cast == .failed { changes.append(Self.change(column.name, reason: "DESTINATION_TYPECAST_ERROR")) }
                typed.append(cast)
            }
        } else {
            // Not an object: nothing to type; the raw table keeps the record as it came.
            changes.append(Self.change("_airbyte_data", reason: "DESTINATION_SERIALIZATION_ERROR"))
            typed = Array(repeating: .null, count: columns.count)
        }
        bytes.append(0x09)
        if changes.isEmpty {
            bytes.append(contentsOf: Self.noChanges)
        } else {
            Self.appendEscaped(JSONValue.object(["changes": .array(changes)]).serializedBytes(), to: &bytes)
        }
        for cast in typed {
            bytes.append(0x09)
            switch cast {
            case .value(let text): Self.appendEscaped(text.utf8, to: &bytes)
            case .null, .failed: bytes.append(contentsOf: [0x5C, 0x4E])  // \N
            }
        }
        bytes.append(0x0A)
    }

    static let noChanges = Array(#"{"changes":[]}"#.utf8)

    static func change(_ field: String, reason: String) -> JSONValue {
        ["field": .string(field), "change": "NULLED", "reason": .string(reason)]
    }

    /// COPY text format: backslash, newline, carriage return and tab are escaped.
    static func appendEscaped(_ text: some Sequence<UInt8>, to out: inout [UInt8]) {
        for b in text {
            switch b {
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            default: out.append(b)
            }
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the epoch.
    static func timestamp(millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - seconds * 1000)
        let base = KubeTime.format(epochSeconds: seconds)
        let digits = String(ms)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// A random (version 4) UUID.
    static func randomUUID<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        for i in 0..<16 {
            var byte = UInt8(truncatingIfNeeded: (i < 8 ? high : low) >> UInt64(56 - 8 * (i % 8)))
            if i == 6 { byte = (byte & 0x0F) | 0x40 }
            if i == 8 { byte = (byte & 0x3F) | 0x80 }
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(0x2D) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
