/// Finding the configuration: explicit path, KUBECONFIG merging, ~/.kube/config, in-cluster.
import Foundation
import KubeCore
import Testing

@testable import KubeClient

@Suite struct ConfigurationLoadingTests {
    static func kubeconfig(server: String, context: String = "c", current: Bool = true, token: String = "t") -> String {
        """
        \(current ? "current-context: \(context)" : "")
        clusters: [{name: \(context)-k, cluster: {server: "\(server)"}}]
        users: [{name: \(context)-u, user: {token: \(token)}}]
        contexts: [{name: \(context), context: {cluster: \(context)-k, user: \(context)-u, namespace: ns-\(context)}}]
        """
    }

    @Test func explicitPathWins() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let explicit = try dir.write("explicit", Self.kubeconfig(server: "https://explicit"))
        let env = try dir.write("env", Self.kubeconfig(server: "https://env"))
        let config = try ClientConfiguration.load(
            kubeconfigPath: explicit, environment: ConfigurationEnvironment(variables: ["KUBECONFIG": env], homeDirectory: dir.path))
        #expect(config.server == "https://explicit")
        #expect(config.source.contains(explicit))
    }

    @Test func kubeconfigEnvMergesFilesInOrder() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = try dir.write("a", Self.kubeconfig(server: "https://a", context: "a", current: false))
        let b = try dir.write("b", Self.kubeconfig(server: "https://b", context: "b"))
        let missing = dir.file("missing")
        let env = ConfigurationEnvironment(variables: ["KUBECONFIG": "\(missing):\(a)::\(b)"], homeDirectory: dir.path)
        let config = try ClientConfiguration.load(environment: env)
        #expect(config.server == "https://b", "current-context comes from b, the only file that sets it")
        #expect(config.namespace == "ns-b")
        let other = try ClientConfiguration.load(context: "a", namespace: "override", environment: env)
        #expect(other.server == "https://a")
        #expect(other.namespace == "override")
    }

    @Test func homeConfigIsUsedWhenKubeconfigUnset() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write(".kube/config", Self.kubeconfig(server: "https://home"))
        let config = try ClientConfiguration.load(environment: ConfigurationEnvironment(variables: [:], homeDirectory: dir.path))
        #expect(config.server == "https://home")
    }

    @Test func failureListsEverySourceTried() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let env = ConfigurationEnvironment(variables: ["KUBECONFIG": dir.file("nope")], homeDirectory: dir.path, serviceAccountDirectory: dir.file("sa"))
        do {
            let config = try ClientConfiguration.load(environment: env)
            Issue.record("expected failure, got \(config)")
        } catch {
            #expect(error.attempts.map(\.source) == ["KUBECONFIG=\(dir.file("nope"))", dir.file(".kube/config"), "in-cluster"])
            #expect(error.attempts[0].reason == "none of the files exist")
            #expect(error.attempts[1].reason == "does not exist")
            #expect(error.attempts[2].reason.contains("KUBERNETES_SERVICE_HOST"))
            #expect(error.description.contains("in-cluster: not running in a cluster"), "\(error)")
        }
    }

    @Test func brokenSourceStopsTheSearch() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let broken = try dir.write("broken", "current-context: x\nclusters: 7\n")
        try dir.write(".kube/config", Self.kubeconfig(server: "https://home"))
        do {
            let config = try ClientConfiguration.load(environment: ConfigurationEnvironment(variables: ["KUBECONFIG": broken], homeDirectory: dir.path))
            Issue.record("a broken KUBECONFIG must not fall back to another cluster, got \(config)")
        } catch {
            #expect(error.attempts.count == 1)
            #expect(error.attempts[0].reason.contains("invalid kubeconfig"), "\(error)")
        }
        do {
            _ = try ClientConfiguration.load(kubeconfigPath: dir.file("absent"), environment: ConfigurationEnvironment(variables: [:], homeDirectory: dir.path))
            Issue.record("a missing explicit kubeconfig must fail")
        } catch {
            #expect(error.attempts.map(\.source) == ["explicit kubeconfig \(dir.file("absent"))"])
        }
    }

    @Test func inClusterReadsServiceAccountFiles() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("sa/token", "token-1\n")
        try dir.write("sa/ca.crt", "CA")
        try dir.write("sa/namespace", "operators\n")
        let env = ConfigurationEnvironment(
            variables: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], homeDirectory: dir.file("nohome"), serviceAccountDirectory: dir.file("sa"))
        let config = try ClientConfiguration.load(environment: env)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.namespace == "operators")
        #expect(config.tls.certificateAuthorityPEM == Array("CA".utf8))
        guard case .tokenFile(let path, let interval) = config.auth else { Issue.record("expected token file, got \(config.auth)"); return }
        #expect(path == dir.file("sa/token"))
        #expect(interval == .seconds(60))
    }

    @Test func inClusterTokenRotationIsReRead() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let tokenPath = try dir.write("token", "token-1\n")
        let clock = ManualDate()
        let provider = CredentialProvider(source: .tokenFile(path: tokenPath, refreshInterval: .seconds(60)), now: { clock.now })
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1")
        try dir.write("token", "token-2\n")
        clock.advance(30)
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1", "cached within the refresh interval")
        clock.advance(31)
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-2", "re-read after the interval")
        try dir.write("token", "token-3\n")
        await provider.invalidate()
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-3", "re-read after a 401")
        try FileManager.default.removeItem(atPath: tokenPath)
        clock.advance(120)
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-3", "a briefly missing file keeps the last token")
    }

    @Test func basicAuthHeader() async throws {
        let provider = CredentialProvider(source: .basic(username: "admin", password: SensitiveString("pw")))
        #expect(try await provider.credentials().authorization?.revealed == "Basic \("admin:pw".base64)")
    }

    @Test(arguments: [
        ("/a/b/../c", "/a/c"), ("/a/./b//c/", "/a/b/c"), ("/../a", "/a"), ("a/../../b", "../b"), ("/a/b/../../..", "/"),
    ])
    func cleanPath(_ input: String, _ expected: String) {
        #expect(Kubeconfig.cleanPath(input) == expected)
    }
}

/// A wall clock the test moves by hand.
final class ManualDate: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_800_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
