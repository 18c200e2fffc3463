/// Strict checks that a string is a date or timestamp PostgreSQL accepts, so a bad value
/// becomes NULL plus an `_airbyte_meta` change instead of failing the whole COPY.
enum PostgresTemporal {
    /// `YYYY-MM-DD` with a real month and day (years 0001-9999).
    static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 10 && date(b[...]) != nil
    }

    /// RFC 3339 / ISO 8601: `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|±HH[:MM]]`.
    /// Without an offset PostgreSQL reads it in the session's time zone, which is UTC.
    static func isTimestamp(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 16, date(b[0..<10]) != nil, b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20 else { return false }
        var i = 11
        guard let h = number(b, &i, 2), h <= 23, expect(b, &i, 0x3A), let m = number(b, &i, 2), m <= 59 else { return false }
        if i < b.count && b[i] == 0x3A {
            i += 1
            guard let sec = number(b, &i, 2), sec <= 60 else { return false }
            if i < b.count && b[i] == 0x2E {
                i += 1
                let start = i
                while i < b.count && isDigit(b[i]) { i += 1 }
                guard i > start else { return false }
            }
        }
        if i == b.count { return true }
        switch b[i] {
        case 0x5A, 0x7A: return i + 1 == b.count
        case 0x2B, 0x2D:
            i += 1
            guard let oh = number(b, &i, 2), oh <= 15 else { return false }
            if i == b.count { return true }
            if b[i] == 0x3A { i += 1 }
            guard let om = number(b, &i, 2), om <= 59 else { return false }
            return i == b.count
        default: return false
        }
    }

    private static func date(_ b: ArraySlice<UInt8>) -> (Int, Int, Int)? {
        let a = Array(b)
        guard a.count == 10, a[4] == 0x2D, a[7] == 0x2D else { return nil }
        var i = 0
        guard let y = number(a, &i, 4), y >= 1 else { return nil }
        i = 5
        guard let m = number(a, &i, 2), (1...12).contains(m) else { return nil }
        i = 8
        guard let d = number(a, &i, 2), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return (y, m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    private static func expect(_ b: [UInt8], _ i: inout Int, _ c: UInt8) -> Bool {
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    /// Exactly `width` digits at `i`, advancing past them.
    private static func number(_ b: [UInt8], _ i: inout Int, _ width: Int) -> Int? {
        guard i + width <= b.count else { return nil }
        var n = 0
        for k in i..<(i + width) {
            guard isDigit(b[k]) else { return nil }
            n = n * 10 + Int(b[k] - 0x30)
        }
        i += width
        return n
    }
}
