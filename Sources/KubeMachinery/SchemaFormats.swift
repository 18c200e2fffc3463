/// The string `format`s kube-apiserver checks in CRD schemas (a practical subset); unknown
/// formats are accepted, as Kubernetes does for formats it does not know.
import Foundation
import KubeCore

enum Formats {
    static func matches(_ s: String, format: String) -> Bool {
        switch format {
        case "date-time", "datetime": return KubeTime.parse(s) != nil
        case "date": return isDate(s)
        case "byte": return Data(base64Encoded: s) != nil
        case "uuid", "uuid3", "uuid4", "uuid5": return isUUID(s)
        case "ipv4": return isIPv4(s)
        case "ipv6": return s.contains(":") && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        case "hostname": return dns1123SubdomainProblem(s) == nil
        case "email": return s.split(separator: "@").count == 2 && !s.hasPrefix("@") && !s.hasSuffix("@")
        default: return true
        }
    }

    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let m = Int(parts[1]), let d = Int(parts[2]), Int(parts[0]) != nil else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }

    static func isUUID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in
            !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && (Int(p).map { $0 <= 255 } ?? false)
        }
    }
}
