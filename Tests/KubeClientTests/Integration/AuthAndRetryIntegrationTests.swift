/// TLS with the generated CA and a client certificate, exec plugins, 401, and retries under injected faults.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing

@Suite struct AuthIntegrationTests {
    @Test func clientCertificateWithoutToken() async throws {
        try await withClient(configure: { server, config in
            let ca = try #require(server.certificateAuthority)
            let issued = try ca.issueClientCertificate(commonName: "ferry-operator", organizations: ["system:masters"])
            config.auth = .none
            config.tls.clientCertificate = ClientIdentity(certificatePEM: Array(issued.certificatePEM.utf8), privateKeyPEM: SensitiveString(issued.privateKeyPEM))
        }) { _, client in
            let ns = try await client.get(.namespace, name: "default")
            #expect(ns.name == "default")
        }
    }

    @Test func noCredentialsIsUnauthorized() async throws {
        try await withClient(configure: { _, config in config.auth = .none }) { _, client in
            do throws(KubeClientError) {
                _ = try await client.get(.namespace, name: "default")
                Issue.record("a request without credentials must be refused")
            } catch {
                #expect(error.apiError?.isUnauthorized == true, "\(error)")
            }
        }
    }

    @Test func untrustedServerCertificateIsATransportError() async throws {
        let otherCA = try CertificateAuthority(commonName: "someone-else")
        try await withClient(configure: { _, config in
            config.tls.certificateAuthorityPEM = Array(otherCA.certificatePEM.utf8)
            config.retry = RetryPolicy(maxAttempts: 1)
            config.connectTimeout = .seconds(1)  // the HTTP client retries the handshake until this passes
        }) { _, client in
            do throws(KubeClientError) {
                _ = try await client.get(.namespace, name: "default")
                Issue.record("a server certificate from another CA must be rejected")
            } catch {
                guard case .transport(let transport) = error else { Issue.record("expected a transport error, got \(error)"); return }
                #expect(transport.underlying.contains("CERTIFICATE_VERIFY_FAILED"), "\(transport)")
            }
        }
    }

    @Test func insecureSkipVerifyConnects() async throws {
        try await withClient(configure: { _, config in
            config.tls.certificateAuthorityPEM = nil
            config.tls.insecureSkipTLSVerify = true
        }) { _, client in
            let defaultNamespace = try await client.get(.namespace, name: "default")
            #expect(defaultNamespace.name == "default")
        }
    }

    @Test func kubeconfigFileEndToEnd() async throws {
        try await withAPIServer { server in
            let dir = try TempDir()
            defer { dir.remove() }
            try server.writeKubeconfig(to: dir.file("kubeconfig"), namespace: "kube-system")
            let client = try KubernetesClient(kubeconfigPath: dir.file("kubeconfig"))
            #expect(client.defaultNamespace == "kube-system")
            let result: Result<ObjectList, KubeClientError>
            do throws(KubeClientError) {
                result = .success(try await client.list(.namespace))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            let names = try result.get().items.compactMap(\.name)
            #expect(names.contains("default"))
        }
    }

    @Test(arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func execPluginSuppliesTheToken(_ apiVersion: String) async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try await withClient(configure: { server, config in
            let script = try dir.write(
                "plugin",
                """
                #!/bin/sh
                echo run >> "\(dir.file("runs"))"
                echo '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"\(server.bearerToken)","expirationTimestamp":"2099-01-01T00:00:00Z"}}'
                """, executable: true)
            config.auth = .exec(Kubeconfig.ExecConfig(command: script, apiVersion: apiVersion, interactiveMode: "Never"), ExecClusterInfo(server: server.url))
        }) { _, client in
            for _ in 0..<3 { _ = try await client.get(.namespace, name: "default") }
            let runs = try String(contentsOfFile: dir.file("runs"), encoding: .utf8).split(separator: "\n").count
            #expect(runs == 1, "the credential is cached until it expires")
        }
    }

    @Test func execPluginSuppliesAClientCertificate() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try await withClient(configure: { server, config in
            let ca = try #require(server.certificateAuthority)
            let issued = try ca.issueClientCertificate(commonName: "exec-user", organizations: ["system:masters"])
            let credential: JSONValue = [
                "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                "status": ["clientCertificateData": .string(issued.certificatePEM), "clientKeyData": .string(issued.privateKeyPEM)],
            ]
            try dir.write("credential.json", credential.serialized())
            let script = try dir.write("plugin", "#!/bin/sh\ncat \"\(dir.file("credential.json"))\"\n", executable: true)
            config.auth = .exec(Kubeconfig.ExecConfig(command: script, apiVersion: "client.authentication.k8s.io/v1", interactiveMode: "Never"), ExecClusterInfo(server: server.url))
        }) { _, client in
            // No token at all: only the certificate from the plugin, set per request, authenticates.
            let ns = try await client.get(.namespace, name: "default")
            #expect(ns.name == "default")
        }
    }

    @Test func execPluginWithStaleTokenIsReRunAfter401() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try await withClient(configure: { server, config in
            // First run prints a wrong token; later runs the right one.
            let script = try dir.write(
                "plugin",
                """
                #!/bin/sh
                if [ -f "\(dir.file("ran"))" ]; then t="\(server.bearerToken)"; else t=stale; touch "\(dir.file("ran"))"; fi
                echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'$t'"}}'
                """, executable: true)
            config.auth = .exec(Kubeconfig.ExecConfig(command: script, apiVersion: "client.authentication.k8s.io/v1", interactiveMode: "Never"), ExecClusterInfo(server: server.url))
        }) { _, client in
            let defaultNamespace = try await client.get(.namespace, name: "default")
            #expect(defaultNamespace.name == "default")
        }
    }
}

@Suite struct RetryIntegrationTests {
    static func fastRetries(_ config: inout ClientConfiguration) {
        config.retry = RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(5), maxBackoff: .milliseconds(20))
    }

    @Test func getSurvivesServerErrors() async throws {
        try await withClient(configure: { _, c in Self.fastRetries(&c) }) { server, client in
            server.faults.set(FaultPlan(errorRate: 0.5, errorCode: 503, seed: 7))
            for _ in 0..<10 {
                let defaultNamespace = try await client.get(.namespace, name: "default")
                #expect(defaultNamespace.name == "default")
            }
            server.faults.clear()
        }
    }

    @Test func postIsNotRetriedOn5xx() async throws {
        try await withClient(configure: { _, c in Self.fastRetries(&c) }) { server, client in
            server.faults.set(FaultPlan(errorRate: 1, errorCode: 500))
            do throws(KubeClientError) {
                _ = try await client.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "once"]], .configMap, namespace: "default")
                Issue.record("a POST answered 500 must not be retried")
            } catch {
                #expect(error.apiError?.isInternalError == true, "\(error)")
            }
            server.faults.clear()
        }
    }

    @Test func throttledRequestsHonourRetryAfter() async throws {
        try await withClient(configure: { _, c in Self.fastRetries(&c) }) { server, client in
            server.faults.set(FaultPlan(throttleRate: 0.5, retryAfterSeconds: 0, seed: 3))
            for i in 0..<8 {
                _ = try await client.create(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("t\(i)")]], .configMap, namespace: "default")
            }
            server.faults.clear()
            let configMaps = try await client.list(.configMap, namespace: "default")
            #expect(configMaps.items.count == 8, "each throttled POST was retried exactly until it succeeded")
        }
    }

    @Test func retriesAreBounded() async throws {
        try await withClient(configure: { _, c in c.retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1)) }) { server, client in
            server.faults.set(FaultPlan(errorRate: 1, errorCode: 503))
            do throws(KubeClientError) {
                _ = try await client.get(.namespace, name: "default")
                Issue.record("always-failing GETs must give up")
            } catch {
                #expect(error.apiError?.code == 503, "\(error)")
            }
            server.faults.clear()
        }
    }

    @Test func clientSideRateLimitSpacesRequests() async throws {
        try await withClient(configure: { _, c in
            c.qps = 20
            c.burst = 1
        }) { _, client in
            let start = ContinuousClock.now
            for _ in 0..<6 { _ = try await client.get(.namespace, name: "default") }
            // 1 burst token, then 5 more at 20/s: at least 250 ms.
            #expect(ContinuousClock.now - start >= .milliseconds(240))
        }
    }
}
