/// Go-style durations (`1h30m`, `90s`, `250ms`) as schedules and timeouts write them.
import Foundation

/// Go-style durations (`1h30m`, `90s`, `250ms`) as used by schedules and timeouts.
public enum DurationSyntax {
    /// The duration in seconds, or nil when `text` is not a valid non-empty duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let n = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += n * unit.1
        }
        return total
    }
}
