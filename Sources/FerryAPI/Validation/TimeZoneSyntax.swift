/// Time zone names as CronJob's `timeZone` accepts them: an explicit IANA name that loads.
import Foundation

public enum TimeZoneSyntax {
    /// nil when `name` is an IANA zone that loads, otherwise why not.
    public static func problem(in name: String) -> String? {
        if name.isEmpty { return "must be a non-empty IANA time zone name, e.g. Europe/Berlin" }
        if name.lowercased() == "local" { return "must be an explicit time zone as defined in https://www.iana.org/time-zones" }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            let ok = !part.isEmpty && part.count <= 14 && part != "." && part != ".." && !part.hasPrefix("-")
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-+".contains($0)) }
            if !ok { return "unknown time zone \(name)" }
        }
        return TimeZone(identifier: name) == nil ? "unknown time zone \(name)" : nil
    }
}
