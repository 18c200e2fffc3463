/// The request entry point: fault injection, authentication, then routing to health,
/// version, discovery, OpenAPI or resource handlers. All state lives in the store.
import Foundation
import KubeCore
import KubeMachinery
import Synchronization

/// Supplies container logs for `pods/log`; the local runtime implements it.
public protocol PodLogProvider: Sendable {
    /// The log text, or nil when the pod/container has none.
    func logs(namespace: String, pod: String, container: String?, tailLines: Int?) async throws -> String?
}

final class APIHandler: Sendable {
    let store: ClusterStore
    let faults: FaultInjector
    let bearerToken: String
    let configuration: APIServerConfiguration
    let logProvider = Mutex<(any PodLogProvider)?>(nil)
    let metricsProvider = Mutex<(any PodMetricsProvider)?>(nil)
    let serverAddress = Mutex<String>("")
    /// Set when `configuration.auditRequests` is.
    let audit: RequestAudit?

    init(store: ClusterStore, faults: FaultInjector, bearerToken: String, configuration: APIServerConfiguration) {
        self.store = store
        self.faults = faults
        self.bearerToken = bearerToken
        self.configuration = configuration
        self.audit = configuration.auditRequests ? RequestAudit() : nil
    }

    func handle(_ request: ServerRequest) async -> ServerResponse {
        let first = request.segments.first ?? ""
        let isHealth = request.segments.count == 1 && ["healthz", "readyz", "livez", "version"].contains(first)
        let isDiscovery = isHealth || request.segments.isEmpty
            || (["api", "apis", "openapi"].contains(first) && ResourcePath(segments: request.segments) == nil)
        let (latency, fault) = faults.decide(isDiscovery: isDiscovery, userAgent: request.header("User-Agent"))
        if latency > .zero { try? await Task.sleep(for: latency) }
        if let fault { return .error(fault) }
        if !(isHealth && request.method == "GET") && !authenticated(request) { return .error(.unauthorized) }
        let response: ServerResponse
        do {
            response = try await route(request)
        } catch {
            response = .error(error)
        }
        if let audit, let path = ResourcePath(segments: request.segments) {
            audit.append(RequestAudit.record(request, path: path, code: response.status))
        }
        return response
    }

    private func authenticated(_ request: ServerRequest) -> Bool {
        if request.hasVerifiedClientCertificate { return true }
        guard let auth = request.header("Authorization"), auth.hasPrefix("Bearer ") else { return false }
        let token = auth.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        // Constant-time comparison: the token is the only secret guarding the server.
        let a = Array(token.utf8), b = Array(bearerToken.utf8)
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }

    private func route(_ request: ServerRequest) async throws(APIError) -> ServerResponse {
        let s = request.segments
        switch s.first {
        case nil:
            return .json(Discovery.rootPaths(store: store, extraGroups: extraDiscoveryGroups()).serializedBytes())
        case "healthz", "readyz", "livez" where s.count <= 2:
            return .text("ok")
        case "version" where s.count == 1:
            return .json(Discovery.version.serializedBytes())
        case "openapi":
            return try OpenAPIEndpoints.handle(request, store: store)
        case "apis" where s.count >= 2 && s[1] == ResourceMetrics.group:
            // Without a provider the group is not served at all, like a cluster without metrics-server.
            guard let provider = podMetricsProvider() else { throw .notServed }
            return try await ResourceMetrics.handle(request, provider: provider, store: store)
        case "api", "apis":
            if let path = ResourcePath(segments: s) {
                return try await handleResource(request, path: path)
            }
            guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
            return try Discovery.handle(segments: s, store: store, serverAddress: serverAddress.withLock { $0 },
                                        extraGroups: extraDiscoveryGroups())
        default:
            throw .notServed
        }
    }

    func podLogProvider() -> (any PodLogProvider)? { logProvider.withLock { $0 } }
    func podMetricsProvider() -> (any PodMetricsProvider)? { metricsProvider.withLock { $0 } }

    /// Groups served outside the registry: metrics.k8s.io while a metrics provider is installed.
    private func extraDiscoveryGroups() -> [(name: String, versions: [String])] {
        podMetricsProvider() == nil ? [] : [ResourceMetrics.discoveryGroup]
    }
}
