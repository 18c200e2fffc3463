/// Resolving one kubeconfig context (cluster + user + namespace) into a `ClientConfiguration`.
import Foundation
import KubeCore

extension ClientConfiguration {
    /// Builds the configuration for `context` (or `current-context`) of a merged kubeconfig.
    /// File references must already be absolute (see `Kubeconfig.resolvePaths`).
    public init(kubeconfig: Kubeconfig, context contextOverride: String? = nil, namespace namespaceOverride: String? = nil, source: String = "kubeconfig") throws(ConfigurationError) {
        guard let contextName = (contextOverride?.isEmpty == false ? contextOverride : kubeconfig.currentContext), !contextName.isEmpty else {
            throw ConfigurationError("\(source): no context selected: current-context is not set and no context was given")
        }
        guard let context = kubeconfig.contexts[contextName] else {
            throw ConfigurationError("\(source): context \"\(contextName)\" not found (contexts: \(kubeconfig.contexts.keys.sorted().joined(separator: ", ")))")
        }
        guard let cluster = kubeconfig.clusters[context.cluster] else {
            throw ConfigurationError("\(source): cluster \"\(context.cluster)\" of context \"\(contextName)\" not found")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw ConfigurationError("\(source): cluster \"\(context.cluster)\" has no server")
        }
        var user = Kubeconfig.AuthInfo()
        if let userName = context.user, !userName.isEmpty {
            guard let u = kubeconfig.users[userName] else {
                throw ConfigurationError("\(source): user \"\(userName)\" of context \"\(contextName)\" not found")
            }
            user = u
        }
        let what = "\(source) context \"\(contextName)\""

        var tls = TLSOptions(insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData, !data.isEmpty {
            tls.certificateAuthorityPEM = try Self.base64(data, field: "certificate-authority-data of cluster \"\(context.cluster)\"", in: source)
        } else if let path = cluster.certificateAuthority, !path.isEmpty {
            tls.certificateAuthorityPEM = try Self.readFile(path, field: "certificate-authority of cluster \"\(context.cluster)\"")
        }
        if tls.insecureSkipTLSVerify && tls.certificateAuthorityPEM != nil {
            // client-go refuses this combination: which one did the user mean?
            throw ConfigurationError("\(what): insecure-skip-tls-verify and a certificate authority are both set; use only one")
        }
        tls.clientCertificate = try Self.clientIdentity(user, what: what)
        let auth = try Self.authSource(user, cluster: cluster, server: server, what: what)
        let namespace = namespaceOverride.flatMap { $0.isEmpty ? nil : $0 } ?? context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        self.init(server: server, tls: tls, auth: auth, namespace: namespace, source: "\(source) (context \(contextName))")
    }

    private static func clientIdentity(_ user: Kubeconfig.AuthInfo, what: String) throws(ConfigurationError) -> ClientIdentity? {
        var cert: [UInt8]?
        var key: [UInt8]?
        if let data = user.clientCertificateData, !data.isEmpty {
            cert = try base64(data, field: "client-certificate-data", in: what)
        } else if let path = user.clientCertificate, !path.isEmpty {
            cert = try readFile(path, field: "client-certificate")
        }
        if let data = user.clientKeyData, !data.isEmpty {
            key = try base64(data.revealed, field: "client-key-data", in: what)
        } else if let path = user.clientKey, !path.isEmpty {
            key = try readFile(path, field: "client-key")
        }
        switch (cert, key) {
        case (nil, nil): return nil
        case (let c?, let k?): return ClientIdentity(certificatePEM: c, privateKeyPEM: SensitiveString(String(decoding: k, as: UTF8.self)))
        case (_?, nil): throw ConfigurationError("\(what): client certificate given without a client key")
        case (nil, _?): throw ConfigurationError("\(what): client key given without a client certificate")
        }
    }

    private static func authSource(_ user: Kubeconfig.AuthInfo, cluster: Kubeconfig.Cluster, server: String, what: String) throws(ConfigurationError) -> AuthSource {
        if let provider = user.authProviderName {
            throw ConfigurationError(
                "\(what): auth-provider \"\(provider)\" is not supported (removed from kubectl in 1.26); use an exec credential plugin such as gke-gcloud-auth-plugin or kubelogin")
        }
        var methods: [AuthSource] = []
        if let token = user.token, !token.isEmpty {
            methods.append(.bearerToken(token))
        } else if let file = user.tokenFile, !file.isEmpty {
            methods.append(.tokenFile(path: file, refreshInterval: .seconds(60)))
        }
        if let username = user.username, !username.isEmpty {
            methods.append(.basic(username: username, password: user.password ?? SensitiveString("")))
        }
        if let exec = user.exec {
            try validate(exec, what: what)
            let info = ExecClusterInfo(
                server: server, certificateAuthorityData: cluster.certificateAuthorityData, insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
                tlsServerName: cluster.tlsServerName)
            methods.append(.exec(exec, info))
        }
        guard methods.count <= 1 else {
            throw ConfigurationError("\(what): more than one authentication method found (\(methods.map(\.description).joined(separator: ", "))); only one is allowed")
        }
        return methods.first ?? .none
    }

    static let execAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    private static func validate(_ exec: Kubeconfig.ExecConfig, what: String) throws(ConfigurationError) {
        guard !exec.command.isEmpty else { throw ConfigurationError("\(what): exec plugin has no command") }
        guard let version = exec.apiVersion, execAPIVersions.contains(version) else {
            throw ConfigurationError(
                "\(what): exec plugin \"\(exec.command)\" has apiVersion \"\(exec.apiVersion ?? "")\"; supported: \(execAPIVersions.joined(separator: ", "))")
        }
        switch exec.interactiveMode ?? "" {
        case "Never", "IfAvailable", "Always": break
        case "" where version.hasSuffix("/v1beta1"): break  // v1beta1 defaults to IfAvailable
        case "": throw ConfigurationError("\(what): exec plugin \"\(exec.command)\": interactiveMode must be specified for \(version)")
        case let other: throw ConfigurationError("\(what): exec plugin \"\(exec.command)\": invalid interactiveMode \"\(other)\"")
        }
    }

    static func base64(_ text: String, field: String, in what: String) throws(ConfigurationError) -> [UInt8] {
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) else { throw ConfigurationError("\(what): \(field) is not valid base64") }
        return [UInt8](data)
    }

    static func readFile(_ path: String, field: String) throws(ConfigurationError) -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ConfigurationError("cannot read \(field) file \(path): \(Kubeconfig.describe(error))")
        }
    }
}
