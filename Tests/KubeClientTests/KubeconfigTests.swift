/// Kubeconfig parsing, kubectl merge rules, relative paths, overrides and every credential kind.
import Foundation
import KubeCore
import Testing

@testable import KubeClient

@Suite struct KubeconfigTests {
    static let basic = """
        apiVersion: v1
        kind: Config
        current-context: dev
        preferences: {}
        clusters:
        - name: dev-cluster
          cluster:
            server: https://dev.example:6443
            certificate-authority-data: \("CA-PEM".base64)
        - name: prod-cluster
          cluster:
            server: https://prod.example
            insecure-skip-tls-verify: true
        users:
        - name: dev-user
          user:
            token: s3cr3t-token
        - name: prod-user
          user:
            username: admin
            password: hunter2
        contexts:
        - name: dev
          context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
        - name: prod
          context: {cluster: prod-cluster, user: prod-user}
        """

    @Test func parsesCurrentContext() throws {
        let config = try ClientConfiguration(kubeconfig: Kubeconfig.parse(Self.basic))
        #expect(config.server == "https://dev.example:6443")
        #expect(config.namespace == "team-a")
        #expect(config.tls.certificateAuthorityPEM == Array("CA-PEM".utf8))
        #expect(config.tls.insecureSkipTLSVerify == false)
        #expect(config.auth == .bearerToken(SensitiveString("s3cr3t-token")))
    }

    @Test func contextAndNamespaceOverride() throws {
        let config = try ClientConfiguration(kubeconfig: Kubeconfig.parse(Self.basic), context: "prod", namespace: "ops")
        #expect(config.server == "https://prod.example")
        #expect(config.namespace == "ops")
        #expect(config.tls.insecureSkipTLSVerify)
        #expect(config.auth == .basic(username: "admin", password: SensitiveString("hunter2")))
        let noNamespace = try ClientConfiguration(kubeconfig: Kubeconfig.parse(Self.basic), context: "prod")
        #expect(noNamespace.namespace == "default")
    }

    @Test(arguments: [
        ("missing context", "nope", "context \"nope\" not found"),
        ("no current context", nil as String?, "no context selected"),
    ])
    func contextErrors(_ label: String, _ context: String?, _ expected: String) throws {
        var kc = try Kubeconfig.parse(Self.basic)
        kc.currentContext = nil
        #expect(throws: ConfigurationError.self, "\(label)") {
            try ClientConfiguration(kubeconfig: kc, context: context)
        }
        do {
            _ = try ClientConfiguration(kubeconfig: kc, context: context)
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func missingClusterAndUserAreNamed() throws {
        let yaml = """
            clusters: []
            users: []
            contexts:
            - name: a
              context: {cluster: gone, user: u}
            - name: b
              context: {cluster: c, user: ghost}
            """
        var kc = try Kubeconfig.parse(yaml)
        kc.clusters["c"] = Kubeconfig.Cluster(server: "https://c")
        #expect(throws: ConfigurationError.self) { try ClientConfiguration(kubeconfig: kc, context: "a") }
        do { _ = try ClientConfiguration(kubeconfig: kc, context: "a") } catch { #expect(error.message.contains("cluster \"gone\"")) }
        do { _ = try ClientConfiguration(kubeconfig: kc, context: "b") } catch { #expect(error.message.contains("user \"ghost\"")) }
    }

    @Test func mergeFirstFileWinsPerKey() throws {
        let first = try Kubeconfig.parse("""
            clusters:
            - name: shared
              cluster: {server: https://first}
            users:
            - name: u
              user: {token: first-token}
            contexts:
            - name: c1
              context: {cluster: shared, user: u}
            """)
        let second = try Kubeconfig.parse("""
            current-context: c2
            clusters:
            - name: shared
              cluster: {server: https://second}
            - name: only-second
              cluster: {server: https://only-second}
            contexts:
            - name: c2
              context: {cluster: only-second, user: u}
            """)
        let third = try Kubeconfig.parse("current-context: c1")
        let merged = Kubeconfig.merge([first, second, third])
        #expect(merged.clusters["shared"]?.server == "https://first")
        #expect(merged.clusters["only-second"]?.server == "https://only-second")
        #expect(merged.currentContext == "c2", "the first file that sets current-context wins")
        let config = try ClientConfiguration(kubeconfig: merged)
        #expect(config.server == "https://only-second")
        #expect(config.auth == .bearerToken(SensitiveString("first-token")))
    }

    @Test func relativePathsResolveAgainstTheirFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("certs/ca.crt", "CA FROM FILE")
        try dir.write("certs/client.crt", "CERT FROM FILE")
        try dir.write("certs/client.key", "KEY FROM FILE")
        try dir.write("token", "file-token\n")
        let path = try dir.write("sub/../config", """
            current-context: c
            clusters:
            - name: k
              cluster: {server: "https://k:1", certificate-authority: certs/ca.crt}
            users:
            - name: u
              user: {client-certificate: certs/client.crt, client-key: certs/client.key, tokenFile: token}
            - name: e
              user:
                exec: {command: ./bin/plugin, apiVersion: client.authentication.k8s.io/v1beta1}
            - name: p
              user:
                exec: {command: plugin-in-path, apiVersion: client.authentication.k8s.io/v1beta1}
            contexts:
            - name: c
              context: {cluster: k, user: u}
            """)
        let kc = try Kubeconfig.load(path: path)
        #expect(kc.clusters["k"]?.certificateAuthority == dir.file("certs/ca.crt"))
        #expect(kc.users["e"]?.exec?.command.hasPrefix(dir.path) == true, "a command with a slash is resolved")
        #expect(kc.users["p"]?.exec?.command == "plugin-in-path", "a bare command is looked up in PATH")
        let config = try ClientConfiguration(kubeconfig: kc)
        #expect(config.tls.certificateAuthorityPEM == Array("CA FROM FILE".utf8))
        #expect(config.tls.clientCertificate?.certificatePEM == Array("CERT FROM FILE".utf8))
        #expect(config.tls.clientCertificate?.privateKeyPEM.revealed == "KEY FROM FILE")
        guard case .tokenFile(let tokenPath, _) = config.auth else { Issue.record("expected a token file, got \(config.auth)"); return }
        #expect(tokenPath == dir.file("token"))
    }

    @Test func inlineClientCertificateData() throws {
        let kc = try Kubeconfig.parse("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k"}}]
            users: [{name: u, user: {client-certificate-data: \("CERT".base64), client-key-data: \("KEY".base64)}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """)
        let config = try ClientConfiguration(kubeconfig: kc)
        #expect(config.tls.clientCertificate?.certificatePEM == Array("CERT".utf8))
        #expect(config.tls.clientCertificate?.privateKeyPEM.revealed == "KEY")
        #expect(config.auth == .none)
    }

    @Test func execConfig() throws {
        let kc = try Kubeconfig.parse("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k", certificate-authority-data: \("CA".base64)}}]
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: aws
                  args: [eks, get-token]
                  env: [{name: AWS_PROFILE, value: dev}]
                  interactiveMode: Never
                  provideClusterInfo: true
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """)
        let config = try ClientConfiguration(kubeconfig: kc)
        guard case .exec(let exec, let info) = config.auth else { Issue.record("expected exec, got \(config.auth)"); return }
        #expect(exec.command == "aws")
        #expect(exec.args == ["eks", "get-token"])
        #expect(exec.env == [.init(name: "AWS_PROFILE", value: "dev")])
        #expect(info.server == "https://k")
        #expect(info.certificateAuthorityData == "CA".base64)
    }

    @Test(arguments: [
        ("auth-provider: {name: gcp}", "auth-provider \"gcp\" is not supported"),
        ("exec: {command: x, apiVersion: client.authentication.k8s.io/v1}", "interactiveMode must be specified"),
        ("exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}", "supported: client.authentication.k8s.io/v1"),
        ("{token: t, username: a, password: b}", "more than one authentication method"),
        ("client-certificate-data: \("C".base64)", "without a client key"),
        ("client-key-data: '!!notbase64'", "client-key-data is not valid base64"),
    ])
    func invalidUsers(_ user: String, _ expected: String) throws {
        let body = user.hasPrefix("{") ? user : "{\(user)}"
        let kc = try Kubeconfig.parse("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k"}}]
            users: [{name: u, user: \(body)}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """)
        do {
            let config = try ClientConfiguration(kubeconfig: kc)
            Issue.record("expected an error containing \(expected), got \(config)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains("hunter2") && !error.message.contains(": t,"))
        }
    }

    @Test func insecureWithCAIsRejected() throws {
        let kc = try Kubeconfig.parse("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k", insecure-skip-tls-verify: true, certificate-authority-data: \("CA".base64)}}]
            contexts: [{name: c, context: {cluster: k}}]
            """)
        #expect(throws: ConfigurationError.self) { try ClientConfiguration(kubeconfig: kc) }
    }

    @Test func invalidYAMLNamesTheSource() {
        do {
            _ = try Kubeconfig.parse("clusters: {not: a list}", source: "/some/config")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("/some/config: invalid kubeconfig"), "\(error.message)")
        }
    }

    @Test func secretsNeverPrint() throws {
        let kc = try Kubeconfig.parse("""
            current-context: c
            clusters: [{name: k, cluster: {server: "https://k"}}]
            users:
            - {name: t, user: {token: tok-SECRET-1, client-certificate-data: \("C".base64), client-key-data: \("KEY-SECRET-2".base64)}}
            - {name: b, user: {username: me, password: pw-SECRET-3}}
            contexts: [{name: c, context: {cluster: k, user: t}}, {name: d, context: {cluster: k, user: b}}]
            """)
        let c1 = try ClientConfiguration(kubeconfig: kc)
        let c2 = try ClientConfiguration(kubeconfig: kc, context: "d")
        var dumped = ""
        dump(kc, to: &dumped)
        dump(c1, to: &dumped)
        dump(c2, to: &dumped)
        let texts = [
            "\(kc)", String(reflecting: kc), "\(c1)", String(reflecting: c1), "\(c2)", "\(c1.auth)", "\(c2.auth)", "\(c1.tls)", String(reflecting: c1.tls), dumped,
            "\(RequestCredentials(authorization: SensitiveString("Bearer tok-SECRET-1")))",
            "\(ExecCredential(token: SensitiveString("tok-SECRET-1")))",
            "\(Secret(metadata: ObjectMeta(name: "s"), data: ["k": "tok-SECRET-1"]))",
        ]
        for text in texts {
            #expect(!text.contains("SECRET"), "\(text)")
        }
        #expect(dumped.contains("[redacted]") || dumped.contains("SensitiveString"))
    }
}
