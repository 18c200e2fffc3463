/// Kubernetes resource quantities (`resource.Quantity`, apimachinery `ParseQuantity`):
/// "500m", "1.5", "2Gi", "129e6", "123456n". Parsed to an exact value, so the integer
/// accessors round the way `Quantity.MilliValue()` and `Quantity.Value()` do: up, away
/// from zero, never silently down.
///
/// Grammar (quantity.go):
///   <quantity> ::= <sign>? <number> <suffix>
///   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
///   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E | (e|E) <sign>? <digits>
import Foundation

public struct ResourceQuantity: Sendable, Hashable, CustomStringConvertible {
    /// Why a string is not a quantity; the message names the string.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case empty
        /// No digits, or stray characters in the number.
        case invalidNumber(String)
        /// The part after the number is no known suffix.
        case invalidSuffix(String, suffix: String)

        public var description: String {
            switch self {
            case .empty: return "quantity is empty"
            case .invalidNumber(let s): return "quantity \"\(s)\" must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
            case .invalidSuffix(let s, let suffix): return "quantity \"\(s)\" has an unknown suffix \"\(suffix)\" (use one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3)"
            }
        }
    }

    /// The text as written.
    public let text: String
    let negative: Bool
    /// Significant digits without leading or trailing zeros; at most 18 (see `truncated`).
    let mantissa: Int64
    /// Power of ten applied to `mantissa`.
    let exponent10: Int
    /// Power of two applied to `mantissa` (binary SI suffixes: Ki = 10, Mi = 20, ...).
    let exponent2: Int
    /// Whether nonzero digits beyond the 18 kept in `mantissa` were dropped.
    let truncated: Bool

    public init(parsing text: String) throws(ParseError) {
        self.text = text
        var chars = Substring(text)
        guard !chars.isEmpty else { throw .empty }
        var negative = false
        if let sign = chars.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            chars = chars.dropFirst()
        }
        let integerPart = chars.prefix { $0.isASCII && $0.isNumber }
        chars = chars.dropFirst(integerPart.count)
        var fractionPart = Substring("")
        if chars.first == "." {
            chars = chars.dropFirst()
            fractionPart = chars.prefix { $0.isASCII && $0.isNumber }
            chars = chars.dropFirst(fractionPart.count)
        }
        guard !integerPart.isEmpty || !fractionPart.isEmpty else { throw .invalidNumber(text) }
        guard let scale = Self.suffixScale(chars) else {
            if chars.contains(where: { $0 == "." || $0 == " " }) { throw .invalidNumber(text) }
            throw .invalidSuffix(text, suffix: String(chars))
        }

        // Significant digits, with the decimal point folded into the exponent.
        var digits = Array(integerPart + fractionPart).drop { $0 == "0" }
        var exponent10 = scale.exponent10 - fractionPart.count
        while digits.last == "0" {
            digits.removeLast()
            exponent10 += 1
        }
        var truncated = false
        if digits.count > 18 {
            truncated = digits.dropFirst(18).contains { $0 != "0" }
            exponent10 += digits.count - 18
            digits = digits.prefix(18)
        }
        self.negative = negative && !digits.isEmpty
        self.mantissa = digits.reduce(0) { $0 * 10 + Int64($1.wholeNumberValue ?? 0) }
        self.exponent10 = digits.isEmpty ? 0 : exponent10
        self.exponent2 = digits.isEmpty ? 0 : scale.exponent2
        self.truncated = truncated
    }

    /// Nil when `text` is not a quantity.
    public init?(_ text: String) {
        do { try self.init(parsing: text) } catch { return nil }
    }

    public var description: String { text }

    /// The value in thousandths, rounded away from zero (`Quantity.MilliValue`); nil when
    /// it does not fit in an Int64.
    public var milliValue: Int64? { scaled(byPowerOfTen: 3) }

    /// The value rounded away from zero (`Quantity.Value`); nil when it does not fit in an Int64.
    public var value: Int64? { scaled(byPowerOfTen: 0) }

    /// The value as a Double (nearest; may be inexact).
    public var doubleValue: Double {
        let magnitude = (Double("\(mantissa)e\(exponent10)") ?? 0) * pow(2, Double(exponent2))
        return negative ? -magnitude : magnitude
    }

    /// `value × 10^power`, rounded away from zero.
    func scaled(byPowerOfTen power: Int) -> Int64? {
        if mantissa == 0 { return 0 }
        guard exponent2 < 63 else { return nil }
        var magnitude = mantissa
        let shift = Int64(1) << exponent2
        let tens = exponent10 + power
        if tens >= 0 {
            // Dropped digits make the exact value larger than magnitude × 10^tens by less
            // than 10^tens × 2^exponent2; only the smallest case is worth computing.
            if truncated && (tens > 0 || exponent2 > 0) { return nil }
            guard let withShift = Self.multiply(magnitude, shift), let result = Self.multiply(withShift, Self.powerOfTen(tens)) else { return nil }
            magnitude = truncated ? result + 1 : result
        } else {
            guard let withShift = Self.multiply(magnitude, shift) else { return nil }
            let divisor = -tens > 18 ? nil : Self.powerOfTen(-tens)
            guard let divisor else { return 1 * (negative ? -1 : 1) }
            let (quotient, remainder) = withShift.quotientAndRemainder(dividingBy: divisor)
            magnitude = remainder != 0 || truncated ? quotient + 1 : quotient
        }
        return negative ? -magnitude : magnitude
    }

    static func powerOfTen(_ n: Int) -> Int64? {
        guard n >= 0, n <= 18 else { return nil }
        return (0..<n).reduce(Int64(1)) { r, _ in r * 10 }
    }

    static func multiply(_ a: Int64, _ b: Int64?) -> Int64? {
        guard let b else { return nil }
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : result
    }

    /// Decimal and binary exponents of a suffix; nil when it is no suffix.
    static func suffixScale(_ suffix: Substring) -> (exponent10: Int, exponent2: Int)? {
        switch suffix {
        case "": return (0, 0)
        case "n": return (-9, 0)
        case "u": return (-6, 0)
        case "m": return (-3, 0)
        case "k": return (3, 0)
        case "M": return (6, 0)
        case "G": return (9, 0)
        case "T": return (12, 0)
        case "P": return (15, 0)
        case "E": return (18, 0)
        case "Ki": return (0, 10)
        case "Mi": return (0, 20)
        case "Gi": return (0, 30)
        case "Ti": return (0, 40)
        case "Pi": return (0, 50)
        case "Ei": return (0, 60)
        default:
            guard let first = suffix.first, first == "e" || first == "E" else { return nil }
            var rest = suffix.dropFirst()
            var sign = 1
            if let s = rest.first, s == "+" || s == "-" {
                sign = s == "-" ? -1 : 1
                rest = rest.dropFirst()
            }
            // Kubernetes keeps exponents within int32 scale; beyond ±1000 nothing fits anyway.
            guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), rest.count <= 4, let n = Int(rest) else { return nil }
            return (sign * n, 0)
        }
    }
}
