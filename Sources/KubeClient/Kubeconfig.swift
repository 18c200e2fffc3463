/// The kubeconfig file model (`clientcmd/api/v1` Config): clusters, users, contexts.
import Foundation
import Yams

/// A parsed kubeconfig: named clusters, users (auth infos) and contexts, plus
/// `current-context`. Preferences and extensions are ignored.
public struct Kubeconfig: Sendable, Hashable {
    public var clusters: [String: Cluster]
    public var users: [String: AuthInfo]
    public var contexts: [String: Context]
    public var currentContext: String?

    public init(clusters: [String: Cluster] = [:], users: [String: AuthInfo] = [:], contexts: [String: Context] = [:], currentContext: String? = nil) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    public struct Cluster: Sendable, Hashable, Codable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        public init(server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: String? = nil, insecureSkipTLSVerify: Bool? = nil, tlsServerName: String? = nil) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
        }

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    /// A user entry (`AuthInfo`). Secrets are `SensitiveString`, so printing this never leaks them.
    public struct AuthInfo: Sendable, Hashable, Codable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: SensitiveString?
        public var token: SensitiveString?
        public var tokenFile: String?
        public var username: String?
        public var password: SensitiveString?
        public var exec: ExecConfig?
        /// Only its presence matters: auth-provider plugins are not supported.
        public var authProviderName: String?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token, tokenFile, username, password, exec
            case authProvider = "auth-provider"
        }

        private struct AuthProvider: Codable { var name: String? }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            clientCertificate = try c.decodeIfPresent(String.self, forKey: .clientCertificate)
            clientCertificateData = try c.decodeIfPresent(String.self, forKey: .clientCertificateData)
            clientKey = try c.decodeIfPresent(String.self, forKey: .clientKey)
            clientKeyData = try c.decodeIfPresent(SensitiveString.self, forKey: .clientKeyData)
            token = try c.decodeIfPresent(SensitiveString.self, forKey: .token)
            tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
            username = try c.decodeIfPresent(String.self, forKey: .username)
            password = try c.decodeIfPresent(SensitiveString.self, forKey: .password)
            exec = try c.decodeIfPresent(ExecConfig.self, forKey: .exec)
            if c.contains(.authProvider) {
                authProviderName = try c.decodeIfPresent(AuthProvider.self, forKey: .authProvider)?.name ?? ""
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(clientCertificate, forKey: .clientCertificate)
            try c.encodeIfPresent(clientCertificateData, forKey: .clientCertificateData)
            try c.encodeIfPresent(clientKey, forKey: .clientKey)
            try c.encodeIfPresent(clientKeyData, forKey: .clientKeyData)
            try c.encodeIfPresent(token, forKey: .token)
            try c.encodeIfPresent(tokenFile, forKey: .tokenFile)
            try c.encodeIfPresent(username, forKey: .username)
            try c.encodeIfPresent(password, forKey: .password)
            try c.encodeIfPresent(exec, forKey: .exec)
            if let authProviderName { try c.encode(AuthProvider(name: authProviderName), forKey: .authProvider) }
        }
    }

    /// An exec credential plugin (`ExecConfig`).
    public struct ExecConfig: Sendable, Hashable, Codable {
        public var command: String
        public var args: [String]?
        public var env: [EnvVar]?
        public var apiVersion: String?
        public var installHint: String?
        public var provideClusterInfo: Bool?
        public var interactiveMode: String?

        public init(command: String, args: [String]? = nil, env: [EnvVar]? = nil, apiVersion: String? = nil, provideClusterInfo: Bool? = nil, interactiveMode: String? = nil) {
            self.command = command
            self.args = args
            self.env = env
            self.apiVersion = apiVersion
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
        }

        public struct EnvVar: Sendable, Hashable, Codable {
            public var name: String
            public var value: String
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }
    }

    public struct Context: Sendable, Hashable, Codable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
        public init(cluster: String, user: String? = nil, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }
}

// MARK: - Parsing

extension Kubeconfig {
    private struct File: Decodable {
        struct Named<T: Decodable>: Decodable {
            var name: String
            var value: T?
            enum CodingKeys: String, CodingKey { case name, cluster, user, context }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                name = try c.decode(String.self, forKey: .name)
                for key in [CodingKeys.cluster, .user, .context] where c.contains(key) {
                    value = try c.decodeIfPresent(T.self, forKey: key)
                }
            }
        }
        var clusters: [Named<Cluster>]?
        var users: [Named<AuthInfo>]?
        var contexts: [Named<Context>]?
        var currentContext: String?
        enum CodingKeys: String, CodingKey {
            case clusters, users, contexts
            case currentContext = "current-context"
        }
    }

    /// Parses kubeconfig YAML (or JSON). Within one file the first entry of a name wins.
    public static func parse(_ yaml: String, source: String = "kubeconfig") throws(ConfigurationError) -> Kubeconfig {
        if yaml.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return Kubeconfig() }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml)
        } catch {
            throw ConfigurationError("\(source): invalid kubeconfig: \(Kubeconfig.describe(error))")
        }
        var config = Kubeconfig()
        for c in file.clusters ?? [] where config.clusters[c.name] == nil { config.clusters[c.name] = c.value ?? Cluster() }
        for u in file.users ?? [] where config.users[u.name] == nil { config.users[u.name] = u.value ?? AuthInfo() }
        for x in file.contexts ?? [] where config.contexts[x.name] == nil {
            guard let value = x.value else { throw ConfigurationError("\(source): context \"\(x.name)\" has no context body") }
            config.contexts[x.name] = value
        }
        if let cc = file.currentContext, !cc.isEmpty { config.currentContext = cc }
        return config
    }

    /// Reads and parses one file, resolving relative paths against its directory.
    public static func load(path: String) throws(ConfigurationError) -> Kubeconfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(path): cannot read kubeconfig: \(Kubeconfig.describe(error))")
        }
        var config = try parse(text, source: path)
        config.resolvePaths(relativeTo: (path as NSString).deletingLastPathComponent)
        return config
    }

    /// Makes file references absolute, as kubectl's `ResolveLocalPaths` does; an exec
    /// command is resolved only when it contains a `/` (otherwise it is looked up in PATH).
    public mutating func resolvePaths(relativeTo directory: String) {
        func resolve(_ p: inout String?) {
            guard let v = p, !v.isEmpty, !v.hasPrefix("/") else { return }
            p = Kubeconfig.cleanPath(directory.isEmpty ? v : directory + "/" + v)
        }
        for (name, var cluster) in clusters {
            resolve(&cluster.certificateAuthority)
            clusters[name] = cluster
        }
        for (name, var user) in users {
            resolve(&user.clientCertificate)
            resolve(&user.clientKey)
            resolve(&user.tokenFile)
            if let command = user.exec?.command, command.contains("/") {
                var c: String? = command
                resolve(&c)
                user.exec?.command = c ?? command
            }
            users[name] = user
        }
    }

    /// Merges files by kubectl's rules: for every map key (cluster, user, context name)
    /// the first file that sets it wins, whole entry; `current-context` comes from the first file that sets it.
    public static func merge(_ configs: [Kubeconfig]) -> Kubeconfig {
        var out = Kubeconfig()
        for c in configs {
            out.clusters.merge(c.clusters) { first, _ in first }
            out.users.merge(c.users) { first, _ in first }
            out.contexts.merge(c.contexts) { first, _ in first }
            if out.currentContext == nil { out.currentContext = c.currentContext }
        }
        return out
    }

    /// Lexical cleaning like Go's `filepath.Clean` (kubectl joins paths with it): removes
    /// `.`, empty segments and `dir/..` pairs without touching the file system.
    static func cleanPath(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var out: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = out.last, last != ".." {
                out.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                out.append(part)
            }
        }
        let joined = out.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .keyNotFound(_, let ctx), .dataCorrupted(let ctx):
                let path = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                return path.isEmpty ? ctx.debugDescription : "\(path): \(ctx.debugDescription)"
            @unknown default:
                return String(describing: e)
            }
        }
        return String(describing: error)
    }
}
