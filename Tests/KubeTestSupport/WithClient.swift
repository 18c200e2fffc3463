/// A production client connected to a freshly started embedded API server over real HTTPS.
import KubeAPIServer
import KubeClient

/// Starts a server, builds a client from the kubeconfig it writes, runs `body`, stops both.
public func withClient<T>(
    _ serverConfiguration: APIServerConfiguration = APIServerConfiguration(),
    configure: (EmbeddedAPIServer, inout ClientConfiguration) throws -> Void = { _, _ in },
    _ body: (EmbeddedAPIServer, KubernetesClient) async throws -> T
) async throws -> T {
    try await withAPIServer(serverConfiguration) { server in
        var config = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
        config.qps = 0  // tests measure behaviour, not the client-side limiter
        try configure(server, &config)
        let client = try KubernetesClient(configuration: config)
        do {
            let result = try await body(server, client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
