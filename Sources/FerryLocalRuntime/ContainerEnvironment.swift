/// Pure environment resolution for one container, in the kubelet's order: agent/image
/// defaults, then `envFrom`, then `env` (later wins), each value `$(VAR)`-expanded against
/// what is defined so far. Missing Secrets/ConfigMaps/keys give the kubelet's
/// `CreateContainerConfigError` messages (names only, never values).
import Foundation
import KubeCore

public enum ContainerEnvironment {
    public static let configErrorReason = "CreateContainerConfigError"

    public static func resolve(
        container: JSONValue, pod: JSONValue, sources: PodConfigSources, base: [String: String], nodeCapacity: [String: String] = [:]
    ) -> Result<[String: String], ContainerLaunchProblem> {
        let namespace = pod.namespace ?? "default"
        var env = base
        func problem(_ message: String) -> Result<[String: String], ContainerLaunchProblem> {
            .failure(ContainerLaunchProblem(reason: configErrorReason, message: message))
        }
        for from in container["envFrom"].arrayValue ?? [] {
            let prefix = from["prefix"].stringValue ?? ""
            let data: [String: Data]
            if let ref = from["secretRef"].objectValue.map(JSONValue.object) {
                let name = ref["name"].stringValue ?? ""
                guard let d = sources.secrets[name] else {
                    if ref["optional"].boolValue == true { continue }
                    return problem("secret \"\(name)\" not found")
                }
                data = d
            } else if let ref = from["configMapRef"].objectValue.map(JSONValue.object) {
                let name = ref["name"].stringValue ?? ""
                guard let d = sources.configMaps[name] else {
                    if ref["optional"].boolValue == true { continue }
                    return problem("configmap \"\(name)\" not found")
                }
                data = d
            } else {
                continue
            }
            // The kubelet skips keys that are not valid variable names (with an event).
            for (key, value) in data where isEnvName(prefix + key) { env[prefix + key] = String(decoding: value, as: UTF8.self) }
        }
        for e in container["env"].arrayValue ?? [] {
            guard let name = e["name"].stringValue, !name.isEmpty else { continue }
            let from = e["valueFrom"]
            if from.isNull {
                env[name] = ContainerCommand.expand(e["value"].stringValue ?? "", env)
                continue
            }
            switch value(from, container: container, pod: pod, namespace: namespace, sources: sources, nodeCapacity: nodeCapacity) {
            case .success(let v?): env[name] = v
            case .success(nil): continue
            case .failure(let p): return .failure(p)
            }
        }
        return .success(env)
    }

    private static func value(
        _ from: JSONValue, container: JSONValue, pod: JSONValue, namespace: String, sources: PodConfigSources, nodeCapacity: [String: String]
    ) -> Result<String?, ContainerLaunchProblem> {
        func problem(_ message: String) -> Result<String?, ContainerLaunchProblem> {
            .failure(ContainerLaunchProblem(reason: configErrorReason, message: message))
        }
        for (field, kind, label, objects) in [("secretKeyRef", "secret", "Secret", sources.secrets), ("configMapKeyRef", "configmap", "ConfigMap", sources.configMaps)] {
            let ref = from[field]
            guard !ref.isNull else { continue }
            let name = ref["name"].stringValue ?? ""
            let key = ref["key"].stringValue ?? ""
            let optional = ref["optional"].boolValue == true
            guard let data = objects[name] else { return optional ? .success(nil) : problem("\(kind) \"\(name)\" not found") }
            guard let bytes = data[key] else { return optional ? .success(nil) : problem("couldn't find key \(key) in \(label) \(namespace)/\(name)") }
            return .success(String(decoding: bytes, as: UTF8.self))
        }
        if let path = from[path: ["fieldRef", "fieldPath"]].stringValue {
            guard let v = fieldValue(path, pod: pod) else { return problem("unsupported fieldRef fieldPath \"\(path)\"") }
            return .success(v)
        }
        let resourceRef = from["resourceFieldRef"]
        if let resource = resourceRef["resource"].stringValue {
            return .success(ResourceFieldValue.envValue(resource: resource, divisor: resourceRef["divisor"].stringValue,
                                                      container: container, nodeCapacity: nodeCapacity))
        }
        return problem("env valueFrom has no supported source")
    }

    /// Downward API fields (`fieldRef.fieldPath`).
    static func fieldValue(_ path: String, pod: JSONValue) -> String? {
        for (prefix, map) in [("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")] where path.hasPrefix(prefix) && path.hasSuffix("']") {
            let key = String(path.dropFirst(prefix.count).dropLast(2))
            return pod[path: ["metadata", map, key]].stringValue ?? ""
        }
        switch path {
        case "metadata.name": return pod.name ?? ""
        case "metadata.namespace": return pod.namespace ?? ""
        case "metadata.uid": return pod.uid ?? ""
        case "spec.nodeName": return pod[path: ["spec", "nodeName"]].stringValue ?? ""
        case "spec.serviceAccountName": return pod[path: ["spec", "serviceAccountName"]].stringValue ?? ""
        case "status.hostIP", "status.podIP", "status.hostIPs", "status.podIPs": return "127.0.0.1"
        default: return nil
        }
    }

    static func isEnvName(_ s: String) -> Bool {
        guard let first = s.first, !first.isNumber else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
    }
}

/// `resourceFieldRef` values: CPU rounds up to whole units of the divisor, memory divides
/// by it; an unset limit is the node's capacity.
enum ResourceFieldValue {
    static func parse(_ text: String) -> Double? { ResourceQuantity(text)?.doubleValue }

    static func envValue(resource: String, divisor: String?, container: JSONValue, nodeCapacity: [String: String]) -> String {
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "0" }
        let limit = container[path: ["resources", "limits", parts[1]]].stringValue
        let raw = container[path: ["resources", parts[0], parts[1]]].stringValue
            ?? (parts[0] == "requests" ? limit : nil) ?? nodeCapacity[parts[1]] ?? "0"
        let amount = parse(raw) ?? 0
        let unit = divisor.flatMap(parse) ?? 1
        let value = unit > 0 ? (amount / unit).rounded(.up) : amount
        return String(Int64(value))
    }
}
