/// Semantic validation of Ferry objects, shared by the controllers (which report it as
/// `Ready=False`) and `ferry validate`. Messages name the field path and the allowed
/// values, in the form of apimachinery's field errors.
import KubeCore
import KubeMachinery

public enum FerryValidation {
    /// What is known beyond the object itself; with nothing known, rules that the source's
    /// catalog could satisfy (source-defined cursor or primary key) are applied strictly.
    public struct Context: Sendable {
        /// Catalogs of Sources by name, from their status.
        public var catalogs: [String: DiscoveredCatalog]
        public init(catalogs: [String: DiscoveredCatalog] = [:]) { self.catalogs = catalogs }
    }

    /// Validates a decoded object of any Ferry kind.
    public static func validate(_ object: any FerryResource, context: Context = .init()) -> [FieldError] {
        switch object {
        case let s as Source: return validate(s)
        case let d as Destination: return validate(d)
        case let c as Connection: return validate(c, context: context)
        case let s as Sync: return validate(s)
        case let p as WorkerPool: return validate(p)
        default: return []
        }
    }

    static func validateMetadata(_ metadata: ObjectMeta) -> [FieldError] {
        guard let name = metadata.name else {
            if metadata.generateName == nil { return [FieldError(.required, path: "metadata.name", detail: "name or generateName is required")] }
            return []
        }
        if let problem = dns1123SubdomainProblem(name) {
            return [FieldError(.invalid, path: "metadata.name", value: .string(name), detail: problem)]
        }
        return []
    }

    static func positiveDuration(_ value: String?, path: String, example: String) -> [FieldError] {
        guard let value else { return [] }
        if (DurationSyntax.seconds(value) ?? 0) <= 0 {
            return [FieldError(.invalid, path: path, value: .string(value), detail: "must be a positive duration such as \(example)")]
        }
        return []
    }

    static func quoted(_ values: [String]) -> String {
        values.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
