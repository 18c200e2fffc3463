/// Exec credential plugins run as real processes: v1 and v1beta1, expiry, failures.
import Foundation
import KubeCore
import Testing

@testable import KubeClient

@Suite struct ExecPluginTests {
    /// A plugin script that counts its runs in `count` and prints a token naming the run.
    static func script(in dir: TempDir, apiVersion: String, expiry: String?, extra: String = "") throws -> String {
        let expiryField = expiry.map { ",\"expirationTimestamp\":\"\($0)\"" } ?? ""
        return try dir.write(
            "bin/plugin",
            """
            #!/bin/sh
            n=$(cat "\(dir.file("count"))" 2>/dev/null || echo 0)
            n=$((n+1))
            echo $n > "\(dir.file("count"))"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir.file("info"))"
            echo "args: $*" > "\(dir.file("args"))"
            echo "env: $PLUGIN_ENV" >> "\(dir.file("args"))"
            \(extra)
            echo '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"token-'$n'"\(expiryField)}}'
            """, executable: true)
    }

    static func config(_ command: String, apiVersion: String, provideClusterInfo: Bool = false) -> Kubeconfig.ExecConfig {
        Kubeconfig.ExecConfig(
            command: command, args: ["get-token", "--cluster", "dev"], env: [.init(name: "PLUGIN_ENV", value: "from-kubeconfig")], apiVersion: apiVersion,
            provideClusterInfo: provideClusterInfo, interactiveMode: "Never")
    }

    static let cluster = ExecClusterInfo(server: "https://k:6443", certificateAuthorityData: "Q0E=")

    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func runsPluginAndCachesWithoutExpiry(_ apiVersion: String) async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let command = try Self.script(in: dir, apiVersion: apiVersion, expiry: nil)
        let provider = CredentialProvider(source: .exec(Self.config(command, apiVersion: apiVersion, provideClusterInfo: true), Self.cluster))
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1")
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1", "no expiry: cached")
        #expect(await provider.execRuns == 1)
        let info = try JSONValue.parse(String(contentsOfFile: dir.file("info"), encoding: .utf8))
        #expect(info["apiVersion"].stringValue == apiVersion)
        #expect(info[path: ["spec", "interactive"]] == false)
        #expect(info[path: ["spec", "cluster", "server"]].stringValue == "https://k:6443")
        #expect(info[path: ["spec", "cluster", "certificate-authority-data"]].stringValue == "Q0E=")
        let args = try String(contentsOfFile: dir.file("args"), encoding: .utf8)
        #expect(args.contains("args: get-token --cluster dev"))
        #expect(args.contains("env: from-kubeconfig"))
        await provider.invalidate()
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-2", "re-run after a 401")
    }

    @Test func clusterInfoOnlyWhenAsked() throws {
        let plugin = ExecCredentialPlugin(config: Self.config("x", apiVersion: "client.authentication.k8s.io/v1"), cluster: Self.cluster)
        #expect(plugin.execInfo()[path: ["spec", "cluster"]] == .null)
    }

    @Test func expiredCredentialIsRefreshed() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let clock = ManualDate()
        let expiry = KubeTime.format(clock.now.addingTimeInterval(600))
        let command = try Self.script(in: dir, apiVersion: "client.authentication.k8s.io/v1", expiry: expiry)
        let provider = CredentialProvider(source: .exec(Self.config(command, apiVersion: "client.authentication.k8s.io/v1"), Self.cluster), now: { clock.now })
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1")
        clock.advance(599)
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-1", "valid until the expiry")
        clock.advance(2)
        #expect(try await provider.credentials().authorization?.revealed == "Bearer token-2", "re-run once expired")
        #expect(await provider.execRuns == 2)
    }

    @Test func concurrentRequestsShareOneRun() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let command = try Self.script(in: dir, apiVersion: "client.authentication.k8s.io/v1", expiry: nil, extra: "sleep 0.2")
        let provider = CredentialProvider(source: .exec(Self.config(command, apiVersion: "client.authentication.k8s.io/v1"), Self.cluster))
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credentials().authorization?.revealed } }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(tokens == ["Bearer token-1"])
        #expect(await provider.execRuns == 1)
    }

    @Test func failureNamesCommandAndStderrButNotToken() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let command = try dir.write(
            "fail", "#!/bin/sh\necho '{\"status\":{\"token\":\"LEAKED-TOKEN\"}}'\necho 'could not refresh SSO session' >&2\nexit 3\n", executable: true)
        let provider = CredentialProvider(source: .exec(Self.config(command, apiVersion: "client.authentication.k8s.io/v1"), Self.cluster))
        do {
            _ = try await provider.credentials()
            Issue.record("expected failure")
        } catch {
            #expect(error.message.contains(command))
            #expect(error.message.contains("exit code 3"))
            #expect(error.message.contains("could not refresh SSO session"))
            #expect(!error.message.contains("LEAKED-TOKEN"))
        }
    }

    @Test(arguments: [
        ("{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"SECRET\"}}", "returned \"client.authentication.k8s.io/v1beta1\""),
        ("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{}}", "neither a token nor a client certificate"),
        ("token: SECRET", "not a JSON ExecCredential"),
        ("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"clientKeyData\":\"SECRET\"}}", "without clientCertificateData"),
    ])
    func badOutput(_ stdout: String, _ expected: String) {
        let plugin = ExecCredentialPlugin(config: Self.config("my-plugin", apiVersion: "client.authentication.k8s.io/v1"), cluster: Self.cluster)
        do {
            let c = try plugin.decode(Array(stdout.utf8))
            Issue.record("expected an error, got \(c)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.contains("my-plugin"))
            #expect(!error.message.contains("SECRET"))
        }
    }

    @Test func clientCertificateFromPlugin() throws {
        let plugin = ExecCredentialPlugin(config: Self.config("p", apiVersion: "client.authentication.k8s.io/v1"), cluster: Self.cluster)
        let c = try plugin.decode(Array(#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#.utf8))
        #expect(c.clientIdentity?.certificatePEM == Array("CERT".utf8))
        #expect(c.clientIdentity?.privateKeyPEM.revealed == "KEY")
        #expect(c.token == nil)
        #expect(c.expirationTimestamp == KubeTime.parse("2030-01-01T00:00:00Z"))
    }

    @Test func missingExecutableShowsInstallHint() async {
        var config = Self.config("ferry-no-such-plugin", apiVersion: "client.authentication.k8s.io/v1")
        config.installHint = "install it with: brew install ferry-plugin"
        let plugin = ExecCredentialPlugin(config: config, cluster: Self.cluster)
        do {
            _ = try await plugin.run()
            Issue.record("expected failure")
        } catch {
            #expect(error.message.contains("executable not found"))
            #expect(error.message.contains("brew install ferry-plugin"))
        }
    }
}
