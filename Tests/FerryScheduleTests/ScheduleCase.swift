/// Table rows for schedule tests: each names the test it was taken from.
import Foundation
import Testing
@testable import FerrySchedule

/// `next(after: from)` in `zone` must be `expected` (nil: no activation).
struct NextCase: Sendable, CustomTestStringConvertible {
    var origin: String
    var zone = "UTC"
    var from: String
    var expression: String
    var expected: String?

    var testDescription: String { "\(expression) after \(from) in \(zone) [\(origin)]" }

    init(_ origin: String, zone: String = "UTC", _ from: String, _ expression: String, _ expected: String?) {
        self.origin = origin
        self.zone = zone
        self.from = from
        self.expression = expression
        self.expected = expected
    }
}

/// robfig's `TestActivation` shape: whether the schedule fires exactly at `time`
/// (`Next(time - 1s) == time`).
struct ActivationCase: Sendable, CustomTestStringConvertible {
    var origin: String
    var time: String
    var expression: String
    var fires: Bool

    var testDescription: String { "\(expression) \(fires ? "fires" : "does not fire") at \(time) [\(origin)]" }

    init(_ origin: String, _ time: String, _ expression: String, _ fires: Bool) {
        self.origin = origin
        self.time = time
        self.expression = expression
        self.fires = fires
    }
}

/// RFC 3339 with or without fractional seconds; test tables are written by hand, so a
/// typo is a test failure, not a crash.
func instant(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let d = formatter.date(from: text) { return d }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

func rfc3339(_ date: Date?, _ zone: TimeZone) -> String {
    guard let date else { return "nil" }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = zone
    return formatter.string(from: date)
}
