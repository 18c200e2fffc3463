/// The Secrets and ConfigMaps a pod refers to (env, envFrom, volumes), fetched once per
/// start attempt; a missing object is simply absent, so resolution can say which one.
import Foundation
import KubeClient
import KubeCore

public struct PodConfigSources: Sendable {
    /// name → key → bytes, for the objects that exist.
    public var secrets: [String: [String: Data]]
    public var configMaps: [String: [String: Data]]

    public init(secrets: [String: [String: Data]] = [:], configMaps: [String: [String: Data]] = [:]) {
        self.secrets = secrets
        self.configMaps = configMaps
    }

    /// Names of the Secrets and ConfigMaps `pod` refers to anywhere in its spec.
    static func references(_ pod: JSONValue) -> (secrets: Set<String>, configMaps: Set<String>) {
        var secrets = Set<String>(), configMaps = Set<String>()
        let containers = (pod[path: ["spec", "initContainers"]].arrayValue ?? []) + (pod[path: ["spec", "containers"]].arrayValue ?? [])
        for c in containers {
            for e in c["env"].arrayValue ?? [] {
                if let n = e[path: ["valueFrom", "secretKeyRef", "name"]].stringValue { secrets.insert(n) }
                if let n = e[path: ["valueFrom", "configMapKeyRef", "name"]].stringValue { configMaps.insert(n) }
            }
            for e in c["envFrom"].arrayValue ?? [] {
                if let n = e[path: ["secretRef", "name"]].stringValue { secrets.insert(n) }
                if let n = e[path: ["configMapRef", "name"]].stringValue { configMaps.insert(n) }
            }
        }
        for v in pod[path: ["spec", "volumes"]].arrayValue ?? [] {
            if let n = v[path: ["secret", "secretName"]].stringValue { secrets.insert(n) }
            if let n = v[path: ["configMap", "name"]].stringValue { configMaps.insert(n) }
            for s in v[path: ["projected", "sources"]].arrayValue ?? [] {
                if let n = s[path: ["secret", "name"]].stringValue { secrets.insert(n) }
                if let n = s[path: ["configMap", "name"]].stringValue { configMaps.insert(n) }
            }
        }
        return (secrets, configMaps)
    }

    /// Fetches everything `pod` refers to; NotFound leaves the name absent, other errors throw.
    static func fetch(for pod: JSONValue, client: KubernetesClient) async throws(KubeClientError) -> PodConfigSources {
        let namespace = pod.namespace ?? "default"
        let refs = references(pod)
        var sources = PodConfigSources()
        for name in refs.secrets.sorted() {
            do {
                let secret = try await client.get(.secret, name: name, namespace: namespace)
                var data: [String: Data] = [:]
                for (k, v) in secret["data"].objectValue ?? [:] { data[k] = v.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data() }
                sources.secrets[name] = data
            } catch where error.isNotFound {
                continue
            }
        }
        for name in refs.configMaps.sorted() {
            do {
                let cm = try await client.get(.configMap, name: name, namespace: namespace)
                var data: [String: Data] = [:]
                for (k, v) in cm["data"].objectValue ?? [:] { data[k] = Data((v.stringValue ?? "").utf8) }
                for (k, v) in cm["binaryData"].objectValue ?? [:] { data[k] = v.stringValue.flatMap { Data(base64Encoded: $0) } ?? Data() }
                sources.configMaps[name] = data
            } catch where error.isNotFound {
                continue
            }
        }
        return sources
    }
}
