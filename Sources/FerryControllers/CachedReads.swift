/// Reads the reconcilers share: a pod from the informer cache or, when the cache has not
/// seen it yet (a pod just created), from the server; and the Secrets a connector config
/// refers to, each read once per render.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

/// The pod from `cache`, else from the server; nil when neither has it.
func podFromCacheOrServer(_ name: String, namespace: String, cache: ObjectStore, client: KubernetesClient) async throws(KubeClientError) -> JSONValue? {
    if let cached = cache.get(namespace: namespace, name: name) { return cached }
    return try await client.getIfPresent(.pod, name: name, namespace: namespace)
}

/// The Secrets named by connector `secretRefs`; a missing one is remembered as missing.
struct ReferencedSecrets {
    private var found: [String: JSONValue] = [:]

    /// Reads each of `names` once. `failure` wraps an API error (not a 404) with what was read.
    static func read(_ names: Set<String>, namespace: String, client: KubernetesClient,
                     failure: (String, KubeClientError) -> any Error) async throws -> ReferencedSecrets {
        var secrets = ReferencedSecrets()
        for name in names.sorted() {
            do {
                if let secret = try await client.getIfPresent(.secret, name: name, namespace: namespace) { secrets.found[name] = secret }
            } catch {
                throw failure(name, error)
            }
        }
        return secrets
    }

    /// What `ConnectorConfigRendering.render` asks for: the value of `key` in `secret`.
    func lookup(_ secret: String, _ key: String) -> SecretLookupResult {
        guard let object = found[secret] else { return .secretNotFound }
        return SyncReconciler.secretValue(object, key: key).map(SecretLookupResult.value) ?? .keyNotFound
    }

    /// The values `refs` point at that were found.
    func values(of refs: [SecretRef]) -> [String] {
        refs.compactMap { ref in
            if case .value(let value) = lookup(ref.secretKeyRef.name, ref.secretKeyRef.key) { return value }
            return nil
        }
    }

    /// `text` with every secret value (of at least 3 characters; shorter ones would blank
    /// out ordinary words) replaced by `***`: what a connector's message may echo.
    static func redact(_ text: String, secrets: [String]) -> String {
        secrets.filter { $0.count >= 3 }.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
