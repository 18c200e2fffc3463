/// The string forms metrics-server writes: `resource.Quantity` in canonical form (CPU as
/// a DecimalSI quantity scaled 10⁻⁹, memory as BinarySI) and Go's `time.Duration.String`.
import KubeCore

enum MetricsFormatting {
    /// `resource.NewScaledQuantity(n, -9)` canonicalized: trailing zeros move into the
    /// exponent, the exponent is rounded down to a multiple of 3 (`123456000` → `123456u`).
    static func cpu(nanocores: Int64) -> String {
        decimal(nanocores, exponent: -9)
    }

    /// `resource.NewQuantity(bytes, BinarySI)`: a power-of-1024 suffix when it divides
    /// evenly (`1264Ki`), plain bytes otherwise; below 1024 the decimal form.
    static func memory(bytes: Int64) -> String {
        guard bytes <= -1024 || bytes >= 1024 else { return decimal(bytes, exponent: 0) }
        var value = bytes
        var power = 0
        while power < 6 && value % 1024 == 0 {
            value /= 1024
            power += 1
        }
        return String(value) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power]
    }

    private static func decimal(_ amount: Int64, exponent start: Int) -> String {
        guard amount != 0 else { return "0" }
        var value = amount
        var exponent = start
        while value % 10 == 0 {
            value /= 10
            exponent += 1
        }
        let down = ((exponent % 3) + 3) % 3
        for _ in 0..<down {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { break }
            value = scaled
            exponent -= 1
        }
        let suffixes: [Int: String] = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        guard let suffix = suffixes[exponent] else { return "\(value)e\(exponent)" }
        return String(value) + suffix
    }

    /// Go's `time.Duration.String`: `10s`, `1m30s`, `1.5s`, `250ms`, `0s`.
    static func goDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        guard total != 0 else { return "0s" }
        let sign = total < 0 ? "-" : ""
        let ns = total.magnitude
        if ns < 1_000_000_000 {
            if ns < 1_000 { return "\(sign)\(ns)ns" }
            if ns < 1_000_000 { return sign + fraction(ns, 1_000) + "µs" }
            return sign + fraction(ns, 1_000_000) + "ms"
        }
        let hours = ns / 3_600_000_000_000
        let minutes = ns / 60_000_000_000 % 60
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        return out + fraction(ns % 60_000_000_000, 1_000_000_000) + "s"
    }

    /// `value / unit` with the remainder as a decimal fraction without trailing zeros.
    private static func fraction(_ value: UInt64, _ unit: UInt64) -> String {
        let whole = value / unit
        let rest = value % unit
        guard rest != 0 else { return String(whole) }
        var digits = String(rest)
        digits = String(repeating: "0", count: String(unit).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
