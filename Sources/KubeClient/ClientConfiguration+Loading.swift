/// Finding a configuration: explicit kubeconfig → `$KUBECONFIG` → `~/.kube/config` → in-cluster.
import Foundation
import KubeCore

/// The process environment the loader looks at, injectable so tests need no real home or pod.
public struct ConfigurationEnvironment: Sendable {
    public var variables: [String: String]
    public var homeDirectory: String?
    /// Where a pod's service-account files are mounted.
    public var serviceAccountDirectory: String

    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    public init(variables: [String: String], homeDirectory: String?, serviceAccountDirectory: String = ConfigurationEnvironment.defaultServiceAccountDirectory) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.serviceAccountDirectory = serviceAccountDirectory
    }

    /// The real process environment.
    public static var current: ConfigurationEnvironment {
        let vars = ProcessInfo.processInfo.environment
        return ConfigurationEnvironment(variables: vars, homeDirectory: vars["HOME"] ?? NSHomeDirectory())
    }
}

extension ClientConfiguration {
    /// Loads the first configuration source that exists, in kubectl's order: the explicit
    /// path, `$KUBECONFIG` (files joined by `:`, merged), `~/.kube/config`, then in-cluster.
    /// A source that is absent is skipped; a source that exists but is broken stops the
    /// search (silently using another cluster would be worse). The error lists every
    /// source tried and why it failed.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil, namespace: String? = nil,
        environment: ConfigurationEnvironment = .current
    ) throws(ConfigurationError) -> ClientConfiguration {
        var attempts: [(source: String, reason: String)] = []
        func fail(_ source: String, _ error: ConfigurationError) -> ConfigurationError {
            attempts.append((source, error.message))
            return ConfigurationError("cannot load a Kubernetes client configuration", attempts: attempts)
        }

        if let path = kubeconfigPath, !path.isEmpty {
            do {
                return try ClientConfiguration(kubeconfig: Kubeconfig.load(path: path), context: context, namespace: namespace, source: "kubeconfig \(path)")
            } catch {
                throw fail("explicit kubeconfig \(path)", error)
            }
        }

        if let list = environment.variables["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty && seen.insert($0).inserted }
            let existing = paths.filter { FileManager.default.fileExists(atPath: $0) }
            if existing.isEmpty {
                attempts.append(("KUBECONFIG=\(list)", "none of the files exist"))
            } else {
                do {
                    var files: [Kubeconfig] = []
                    for p in existing { files.append(try Kubeconfig.load(path: p)) }
                    return try ClientConfiguration(
                        kubeconfig: Kubeconfig.merge(files), context: context, namespace: namespace, source: "KUBECONFIG \(existing.joined(separator: ":"))")
                } catch {
                    throw fail("KUBECONFIG=\(list)", error)
                }
            }
        } else {
            attempts.append(("KUBECONFIG", "not set"))
        }

        if let home = environment.homeDirectory, !home.isEmpty {
            let path = (home as NSString).appendingPathComponent(".kube/config")
            if FileManager.default.fileExists(atPath: path) {
                do {
                    return try ClientConfiguration(kubeconfig: Kubeconfig.load(path: path), context: context, namespace: namespace, source: "kubeconfig \(path)")
                } catch {
                    throw fail(path, error)
                }
            }
            attempts.append((path, "does not exist"))
        } else {
            attempts.append(("~/.kube/config", "no home directory"))
        }

        do {
            return try inCluster(namespace: namespace, environment: environment)
        } catch {
            throw fail("in-cluster", error)
        }
    }

    /// The configuration of a pod: `KUBERNETES_SERVICE_HOST/PORT`, the service-account
    /// token (re-read every `tokenRefreshInterval`, it rotates), `ca.crt` and `namespace`.
    public static func inCluster(
        namespace namespaceOverride: String? = nil, environment: ConfigurationEnvironment = .current, tokenRefreshInterval: Duration = .seconds(60)
    ) throws(ConfigurationError) -> ClientConfiguration {
        guard let host = environment.variables["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment.variables["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw ConfigurationError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
        }
        let dir = environment.serviceAccountDirectory
        let tokenPath = (dir as NSString).appendingPathComponent("token")
        // Read once now so a missing or unreadable token fails at startup, not at the first request.
        _ = try readFile(tokenPath, field: "service account token")
        let ca = try readFile((dir as NSString).appendingPathComponent("ca.crt"), field: "service account ca.crt")
        var namespace = "default"
        if let n = namespaceOverride, !n.isEmpty {
            namespace = n
        } else if let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("namespace")) {
            let n = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !n.isEmpty { namespace = n }
        }
        // IPv6 service hosts need brackets in a URL (net.JoinHostPort).
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClientConfiguration(
            server: "https://\(hostPart):\(port)", tls: TLSOptions(certificateAuthorityPEM: ca),
            auth: .tokenFile(path: tokenPath, refreshInterval: tokenRefreshInterval), namespace: namespace, source: "in-cluster (\(dir))")
    }
}
