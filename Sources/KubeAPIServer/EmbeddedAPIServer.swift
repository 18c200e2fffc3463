/// The embedded Kubernetes-compatible API server: in-process, loopback by default,
/// HTTPS with a generated CA, bearer-token or client-certificate auth, optional persistence.
import Foundation
import KubeCore
import NIOCore
import NIOSSL
import Synchronization

public final class EmbeddedAPIServer: Sendable {
    public let configuration: APIServerConfiguration
    public let bearerToken: String
    /// The CA that signed the serving certificate and that client certificates must chain to; nil without TLS.
    public let certificateAuthority: CertificateAuthority?
    public let faults = FaultInjector()
    let store: ClusterStore
    let handler: APIHandler

    private struct Running: Sendable {
        var server: HTTPServer
        var serving: Task<Void, Never>
        var persisting: Task<Void, Never>?
    }
    private let running = Mutex<Running?>(nil)
    private let boundPort = Mutex<Int>(0)

    public init(configuration: APIServerConfiguration = .init()) throws {
        self.configuration = configuration
        let dir = configuration.dataDirectory
        if let token = configuration.bearerToken {
            bearerToken = token
        } else if let dir, let saved = try Persistence.readText(dir, "token") {
            bearerToken = saved.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            bearerToken = (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
            if let dir { try Persistence.writeText(bearerToken, dir, "token") }
        }
        if configuration.tls {
            if let dir, let cert = try Persistence.readText(dir, "ca.crt"), let key = try Persistence.readText(dir, "ca.key") {
                certificateAuthority = try CertificateAuthority(certificatePEM: cert, privateKeyPEM: key)
            } else {
                let ca = try CertificateAuthority()
                if let dir {
                    try Persistence.writeText(ca.certificatePEM, dir, "ca.crt")
                    try Persistence.writeText(ca.privateKeyPEM, dir, "ca.key")
                }
                certificateAuthority = ca
            }
        } else {
            certificateAuthority = nil
        }
        store = ClusterStore(historySize: configuration.watchHistorySize)
        let bufferSize = configuration.watcherBufferSize
        try store.withState { (s: inout ClusterState) throws in
            s.watchers.bufferSize = bufferSize
            if let dir, try Persistence.load(into: &s, directory: dir) { return }
            s.createInitialNamespaces()
            s.compactedRV = 0
        }
        handler = APIHandler(store: store, faults: faults, bearerToken: bearerToken, configuration: configuration)
        let store = self.store
        faults.setDropHandler {
            store.withState { s in
                defer { s.watchers.removeAll() }
                return s.watchers.count
            }
        }
    }

    /// Binds and starts serving; returns once the listener is up.
    public func start() async throws {
        guard running.withLock({ $0 == nil }) else { return }
        var sslContext: NIOSSLContext?
        if let ca = certificateAuthority {
            let hosts = Array(Set(["127.0.0.1", "localhost", configuration.host]))
            let serving = try ca.issueServerCertificate(hosts: hosts)
            do {
                var tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(serving.certificatePEM.utf8), format: .pem))],
                    privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(serving.privateKeyPEM.utf8), format: .pem)))
                tls.certificateVerification = .optionalVerification
                tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(ca.certificatePEM.utf8), format: .pem)])
                sslContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw APIServerError(message: "configuring TLS for the API server: \(error)")
            }
        }
        let server = try await HTTPServer(host: configuration.host, port: configuration.port, sslContext: sslContext,
                                          maxBodyBytes: configuration.maxRequestBodyBytes)
        boundPort.withLock { $0 = server.port }
        handler.serverAddress.withLock { $0 = "\(configuration.host):\(server.port)" }
        let handler = self.handler
        let serving = Task { await server.run(handler: { await handler.handle($0) }) }
        var persisting: Task<Void, Never>?
        if let dir = configuration.dataDirectory {
            let store = self.store
            persisting = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    Self.persistIfDirty(store, directory: dir)
                }
            }
        }
        running.withLock { $0 = Running(server: server, serving: serving, persisting: persisting) }
    }

    private static func persistIfDirty(_ store: ClusterStore, directory: String) {
        let snapshot: JSONValue? = store.withState { s in
            guard s.dirty else { return nil }
            s.dirty = false
            return Persistence.snapshot(s)
        }
        guard let snapshot else { return }
        do {
            try Persistence.write(snapshot, directory: directory)
        } catch {
            // Keep the state dirty so the next tick retries; the error itself is in `Persistence.write`.
            store.withState { $0.dirty = true }
        }
    }

    public var port: Int { boundPort.withLock { $0 } }

    public var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(configuration.tls ? "https" : "http")://\(host):\(port)"
    }

    /// Installs the source of `pods/log` output.
    public func setPodLogProvider(_ provider: (any PodLogProvider)?) {
        handler.logProvider.withLock { $0 = provider }
    }

    /// Installs the source of metrics.k8s.io PodMetrics; nil stops serving the group.
    public func setPodMetricsProvider(_ provider: (any PodMetricsProvider)?) {
        handler.metricsProvider.withLock { $0 = provider }
    }

    /// The resource requests served so far, in arrival order; empty unless the server was
    /// configured with `auditRequests`.
    public func auditRecords() -> [AuditRecord] {
        handler.audit?.all ?? []
    }

    /// Calls `observer` with every stored change (create, update, delete), in
    /// resourceVersion order, synchronously under the store's lock — so it must be quick —
    /// or stops with nil. Unlike a watch it is never dropped, throttled or expired: a
    /// reliability test sees every write even while the server injects faults.
    public func observeChanges(_ observer: (@Sendable (StoredChange) -> Void)?) {
        store.withState { $0.changeObserver = observer }
    }

    /// A kubeconfig with cluster, token user and context `ferry-dev`.
    public func kubeconfigYAML(namespace: String? = nil) -> String {
        var cluster = "    server: \(url)\n"
        if let ca = certificateAuthority {
            cluster += "    certificate-authority-data: \(Data(ca.certificatePEM.utf8).base64EncodedString())\n"
        }
        var context = "    cluster: ferry-dev\n    user: ferry-dev\n"
        if let namespace { context += "    namespace: \(namespace)\n" }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: ferry-dev
              cluster:
            \(cluster)users:
            - name: ferry-dev
              user:
                token: \(bearerToken)
            contexts:
            - name: ferry-dev
              context:
            \(context)current-context: ferry-dev
            preferences: {}

            """
    }

    public func writeKubeconfig(to path: String, namespace: String? = nil) throws {
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(kubeconfigYAML(namespace: namespace).utf8).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw APIServerError(message: "writing kubeconfig to \(path): \(error)")
        }
    }

    /// Closes the listener, every connection and every watch; flushes persisted state.
    public func shutdown() async throws {
        guard let r = running.withLock({ state -> Running? in defer { state = nil }; return state }) else { return }
        store.withState { $0.watchers.removeAll() }
        await r.server.close()
        r.serving.cancel()
        await r.serving.value
        r.persisting?.cancel()
        await r.persisting?.value
        if let dir = configuration.dataDirectory {
            let snapshot = store.withState { s -> JSONValue in s.dirty = false; return Persistence.snapshot(s) }
            try Persistence.write(snapshot, directory: dir)
        }
    }
}
