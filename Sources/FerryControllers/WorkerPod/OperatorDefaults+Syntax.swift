/// The text forms of the operator defaults that `ferry operator`'s flags (and the Helm
/// chart's values rendered into them) carry: quantities, Airbyte's JOB_KUBE_NODE_SELECTORS
/// (`key=value,key2=value2`) and tolerations (kubectl's taint syntax, or a core/v1
/// Toleration as JSON). Pure, so the flags and their table tests share one parser, and a
/// bad value stops the operator at start instead of failing every worker pod's creation.
import FerryAPI
import Foundation
import KubeCore

public enum OperatorDefaultsSyntax {
    /// Why a flag's text is not a valid value; the message names the text.
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// A resource quantity as Kubernetes parses it; empty text sets none (as an empty
    /// JOB_MAIN_CONTAINER_CPU_LIMIT does in Airbyte: no CPU limit at all).
    public static func quantity(_ text: String) throws(Problem) -> Quantity? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        let parsed: ResourceQuantity
        do { parsed = try ResourceQuantity(parsing: trimmed) } catch { throw Problem("\(error)") }
        guard parsed.doubleValue >= 0 else { throw Problem("quantity \"\(trimmed)\" must not be negative") }
        return .string(trimmed)
    }

    /// One container's requirements from the four flags `--<prefix>-{cpu,memory}-{request,limit}`.
    /// A request above its limit is refused here: the API server would refuse every pod.
    public static func requirements(
        prefix: String, cpuRequest: String, cpuLimit: String, memoryRequest: String, memoryLimit: String
    ) throws(Problem) -> ResourceRequirements? {
        var requests: [String: Quantity] = [:], limits: [String: Quantity] = [:]
        for (resource, request, limit) in [("cpu", cpuRequest, cpuLimit), ("memory", memoryRequest, memoryLimit)] {
            let r: Quantity?, l: Quantity?
            do { r = try quantity(request) } catch { throw Problem("--\(prefix)-\(resource)-request: \(error)") }
            do { l = try quantity(limit) } catch { throw Problem("--\(prefix)-\(resource)-limit: \(error)") }
            if let r, let l, let rv = ResourceQuantity(r.text)?.doubleValue, let lv = ResourceQuantity(l.text)?.doubleValue, rv > lv {
                throw Problem("--\(prefix)-\(resource)-request \(r.text) is above --\(prefix)-\(resource)-limit \(l.text)")
            }
            requests[resource] = r
            limits[resource] = l
        }
        if requests.isEmpty && limits.isEmpty { return nil }
        return ResourceRequirements(limits: limits.isEmpty ? nil : limits, requests: requests.isEmpty ? nil : requests)
    }

    /// `key=value,key2=value2` (JOB_KUBE_NODE_SELECTORS); blanks around entries are ignored
    /// and empty text selects no label.
    public static func nodeSelector(_ text: String) throws(Problem) -> [String: String] {
        var out: [String: String] = [:]
        for entry in text.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            guard let equals = entry.firstIndex(of: "=") else { throw Problem("\"\(entry)\" is not key=value") }
            let key = String(entry[..<equals]), value = String(entry[entry.index(after: equals)...])
            if let problem = qualifiedNameProblem(key) { throw Problem("label key \"\(key)\": \(problem)") }
            if let problem = labelValueProblem(value) { throw Problem("label value \"\(value)\" of \(key): \(problem)") }
            guard out[key] == nil else { throw Problem("label key \"\(key)\" is given twice") }
            out[key] = value
        }
        return out
    }

    /// One toleration, either as JSON (`{"key":"dedicated","operator":"Equal","value":"etl",
    /// "effect":"NoSchedule"}`, the only form with `tolerationSeconds`) or in kubectl's
    /// taint syntax `key[=value][:Effect]`: with a value the operator is Equal, without
    /// one Exists; without an effect every effect is tolerated; `:Effect` alone (empty
    /// key) tolerates every taint of that effect.
    public static func toleration(_ text: String) throws(Problem) -> Toleration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw Problem("a toleration is key[=value][:Effect] or a JSON object, got nothing") }
        let toleration = try trimmed.hasPrefix("{") ? tolerationJSON(trimmed) : tolerationShort(trimmed)
        try check(toleration, text: trimmed)
        return toleration
    }

    static let tolerationFields: Set = ["key", "operator", "value", "effect", "tolerationSeconds"]

    static func tolerationJSON(_ text: String) throws(Problem) -> Toleration {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw Problem("toleration \(text) is not valid JSON: \(error)") }
        guard let fields = json.objectValue else { throw Problem("toleration \(text) is not a JSON object") }
        // A misspelt field would otherwise be dropped silently (and the toleration widened).
        let unknown = Set(fields.keys).subtracting(tolerationFields).sorted()
        guard unknown.isEmpty else {
            throw Problem("toleration \(text): unknown field \(unknown.joined(separator: ", ")) (known: \(tolerationFields.sorted().joined(separator: ", ")))")
        }
        do { return try json.decode(Toleration.self) } catch {
            throw Problem("toleration \(text): operator must be \(names(Toleration.Operator.self)), effect \(names(Toleration.Effect.self)), tolerationSeconds an integer")
        }
    }

    static func tolerationShort(_ text: String) throws(Problem) -> Toleration {
        var rest = Substring(text)
        var effect: Toleration.Effect?
        if let colon = rest.firstIndex(of: ":") {
            let name = String(rest[rest.index(after: colon)...])
            guard let parsed = Toleration.Effect(rawValue: name) else {
                throw Problem("toleration \(text): effect \"\(name)\" is none of \(names(Toleration.Effect.self))")
            }
            effect = parsed
            rest = rest[..<colon]
        }
        if let equals = rest.firstIndex(of: "=") {
            return Toleration(key: String(rest[..<equals]), operator: .equal, value: String(rest[rest.index(after: equals)...]), effect: effect)
        }
        return Toleration(key: rest.isEmpty ? nil : String(rest), operator: .exists, effect: effect)
    }

    /// core/v1 validation of a toleration (ValidateTolerations), so the API server cannot
    /// refuse the pods later.
    static func check(_ t: Toleration, text: String) throws(Problem) {
        let key = t.key ?? ""
        if !key.isEmpty, let problem = qualifiedNameProblem(key) { throw Problem("toleration \(text): key \"\(key)\": \(problem)") }
        if key.isEmpty && t.operator != .exists { throw Problem("toleration \(text): an empty key needs operator Exists (it matches every taint)") }
        if t.operator == .exists && !(t.value ?? "").isEmpty { throw Problem("toleration \(text): operator Exists takes no value") }
        if t.operator != .exists, let value = t.value, let problem = labelValueProblem(value) { throw Problem("toleration \(text): value \"\(value)\": \(problem)") }
        if t.tolerationSeconds != nil && t.effect != .noExecute { throw Problem("toleration \(text): tolerationSeconds needs effect NoExecute") }
    }

    static func names<E: RawRepresentable<String> & CaseIterable>(_: E.Type) -> String {
        E.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
