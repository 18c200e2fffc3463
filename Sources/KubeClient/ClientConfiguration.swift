/// What the client needs to reach one API server: address, TLS, credentials, default
/// namespace, rate limits — resolved from a kubeconfig context or in-cluster files.
import Foundation
import KubeCore

/// TLS settings for the API server connection. PEM bytes are read when the configuration
/// is loaded, so the client never touches the file system per request.
public struct TLSOptions: Sendable, Hashable {
    /// Trust exactly this CA bundle (PEM) instead of the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    public var insecureSkipTLSVerify: Bool
    /// Client certificate authentication (PEM, RSA or EC key).
    public var clientCertificate: ClientIdentity?
    /// `tls-server-name` from the kubeconfig; only a value equal to the server's host is supported.
    public var serverName: String?

    public init(certificateAuthorityPEM: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false, clientCertificate: ClientIdentity? = nil, serverName: String? = nil) {
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.clientCertificate = clientCertificate
        self.serverName = serverName
    }
}

/// A client certificate chain and its private key, both PEM. The key never prints.
public struct ClientIdentity: Sendable, Hashable, CustomStringConvertible {
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: SensitiveString

    public init(certificatePEM: [UInt8], privateKeyPEM: SensitiveString) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    public var description: String { "ClientIdentity(certificate: \(certificatePEM.count) bytes, key: [redacted])" }
}

/// How requests authenticate (besides a client certificate, which lives in `TLSOptions`).
public enum AuthSource: Sendable, Hashable, CustomStringConvertible {
    case none
    case bearerToken(SensitiveString)
    /// A token file re-read every `refreshInterval`, because service-account tokens rotate.
    case tokenFile(path: String, refreshInterval: Duration)
    case basic(username: String, password: SensitiveString)
    /// An exec credential plugin and the cluster it may be told about.
    case exec(Kubeconfig.ExecConfig, ExecClusterInfo)

    public var description: String {
        switch self {
        case .none: return "none"
        case .bearerToken: return "bearer token [redacted]"
        case .tokenFile(let path, _): return "token file \(path)"
        case .basic(let user, _): return "basic auth as \(user)"
        case .exec(let e, _): return "exec plugin \(e.command)"
        }
    }
}

/// The `spec.cluster` an exec plugin receives when `provideClusterInfo` is set.
public struct ExecClusterInfo: Sendable, Hashable {
    public var server: String
    public var certificateAuthorityData: String?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?

    public init(server: String, certificateAuthorityData: String? = nil, insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil) {
        self.server = server
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
    }
}

/// Everything `KubernetesClient` needs. Build one with `load(...)`, `init(kubeconfig:...)`
/// or `inCluster(...)`, or by hand.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    /// `https://host:port`, with any path prefix and without a trailing slash.
    public var server: String
    public var tls: TLSOptions
    public var auth: AuthSource
    /// The namespace used when a namespaced call does not name one.
    public var namespace: String
    /// Where this configuration came from, e.g. `kubeconfig /path (context kind-dev)`.
    public var source: String
    /// Client-side rate limit; `qps <= 0` disables it. client-go defaults: 5 QPS, burst 10.
    public var qps: Double = 5
    public var burst: Int = 10
    public var retry: RetryPolicy = RetryPolicy()
    /// Deadline for one non-watch request attempt.
    public var requestTimeout: Duration = .seconds(60)
    /// How long connecting (TCP + TLS handshake, with the HTTP client's own reconnects) may take.
    public var connectTimeout: Duration = .seconds(10)
    public var userAgent: String = "ferry"
    /// HTTP/1.1 connections kept to the server; every open watch uses one of them.
    public var maxConnectionsPerHost: Int = 256

    public init(server: String, tls: TLSOptions = TLSOptions(), auth: AuthSource = .none, namespace: String = "default", source: String = "explicit") {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.tls = tls
        self.auth = auth
        self.namespace = namespace
        self.source = source
    }

    public var description: String {
        "ClientConfiguration(server: \(server), namespace: \(namespace), auth: \(auth), client certificate: \(tls.clientCertificate != nil), source: \(source))"
    }
}
