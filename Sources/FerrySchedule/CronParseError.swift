/// Why a schedule expression was rejected, naming the field at fault so that a
/// Connection's `Ready=False` message and `ferry schedule next` can point at it.
public struct CronParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field at fault (`minute`, `day-of-month`, `every`, ...), nil when the
    /// expression as a whole is malformed (wrong number of fields, unknown descriptor).
    public var field: String?
    public var message: String

    public init(field: String?, _ message: String) {
        self.field = field
        self.message = message
    }

    /// e.g. `field day-of-month: 32 is out of range 1-31`.
    public var description: String {
        field.map { "field \($0): \(message)" } ?? message
    }
}

/// One field's grammar: its name in messages, its bounds and its names (`jan`, `mon`).
struct CronField: Sendable {
    var name: String
    var range: ClosedRange<Int>
    var names: [String: Int] = [:]

    func error(_ message: String) -> CronParseError { CronParseError(field: name, message) }

    /// A number or (case-insensitive) name; bounds are checked by the caller so that
    /// the message can say which end of a range is wrong.
    func value(_ text: String) throws(CronParseError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard !text.isEmpty, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let v = Int(text) else {
            throw error("\"\(text)\" is not a number\(names.isEmpty ? "" : " or name")")
        }
        return v
    }

    func checked(_ v: Int) throws(CronParseError) -> Int {
        guard range.contains(v) else { throw error("\(v) is out of range \(range.lowerBound)-\(range.upperBound)") }
        return v
    }

    func step(_ text: String) throws(CronParseError) -> Int {
        guard let s = Int(text), text.allSatisfy(\.isNumber), s > 0 else {
            throw error("step \"\(text)\" must be a positive number")
        }
        return s
    }

    static let monthNames: [String: Int] = Dictionary(uniqueKeysWithValues:
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].enumerated().map { ($1, $0 + 1) })
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
}

/// A set of small non-negative values (seconds, days, months) as a bit mask.
struct BitSet64: Hashable, Sendable {
    var bits: UInt64 = 0

    func contains(_ v: Int) -> Bool { v >= 0 && v < 64 && bits & (1 << UInt64(v)) != 0 }
    mutating func insert(_ v: Int) { bits |= 1 << UInt64(v) }
    var isEmpty: Bool { bits == 0 }

    /// The smallest member >= v (Java's `tailSet(v).first()`), nil when there is none.
    func first(atLeast v: Int) -> Int? {
        guard v < 64 else { return nil }
        let masked = bits & (v <= 0 ? ~0 : ~((1 << UInt64(v)) - 1))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    var first: Int? { first(atLeast: 0) }
}
