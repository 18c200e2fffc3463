/// Table and column names for `destination-postgres`: quoting, PostgreSQL's 63-byte
/// identifier limit, and Airbyte's raw/final table naming.
import AirbyteProtocol

enum PostgresNaming {
    /// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
    static let identifierLimit = 63
    static let temporarySuffix = "_ferry_tmp"

    /// `"name"` with embedded double quotes doubled, as SQL requires.
    static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
    }

    /// `"schema"."table"`.
    static func qualified(_ schema: String, _ table: String) -> String {
        quote(schema) + "." + quote(table)
    }

    /// A SQL string literal: single quotes doubled (standard_conforming_strings is on).
    static func literal(_ text: String) -> String {
        "'" + text.replacingAll("'", with: "''") + "'"
    }

    /// `identifier` cut to at most `limit` bytes on a character boundary, so that the name
    /// we use is the name PostgreSQL stores (and `<name>_ferry_tmp` cannot collide with it).
    static func truncated(_ identifier: String, limit: Int = identifierLimit) -> String {
        guard identifier.utf8.count > limit else { return identifier }
        var result = ""
        var bytes = 0
        for c in identifier {
            let n = String(c).utf8.count
            if bytes + n > limit { break }
            result.append(c)
            bytes += n
        }
        return result
    }

    /// The final table's name for `stream`, optionally with the suffix of the table an
    /// overwrite writes into before swapping it in.
    static func finalTable(_ stream: String, temporary: Bool) -> String {
        temporary ? truncated(stream, limit: identifierLimit - temporarySuffix.utf8.count) + temporarySuffix : truncated(stream)
    }

    /// Airbyte's raw table name: `<schema>_raw__stream_<stream>`.
    static func rawTable(schema: String, stream: String, temporary: Bool) -> String {
        finalTable("\(schema)_raw__stream_\(stream)", temporary: temporary)
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in this module).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
