/// `kubectl top pod` against `ferry dev`: metrics.k8s.io served from the local node's real
/// processes, read through discovery and the metrics API exactly as on a cluster with
/// metrics-server.
import Foundation
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct KubectlTopTests {
    @Test func topPodShowsARunningPodsUsage() async throws {
        try await DevSession.with { session in
            let kubectl = session.kubectl
            #expect(try await kubectl.run("create", "namespace", "busy-ns").succeeded)
            let pod = try kubectl.write("busy.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: spinner, namespace: busy-ns, labels: {app: spin}}
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: spin, image: busybox, command: [sh, -c, "exec timeout 150 sh -c 'while :; do :; done'"]}
                """)
            #expect(try await kubectl.run("apply", "-f", pod).succeeded)
            let running = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Running", "pod/spinner", "-n", "busy-ns", "--timeout=60s")
            #expect(running.succeeded, "\(running.stderr)")

            // Metrics appear after one full sampling window.
            var output = ""
            do {
                try await waitUntil(timeout: .seconds(90)) {
                    let top = try await kubectl.run("top", "pod", "-n", "busy-ns")
                    output = top.stdout + top.stderr
                    return top.succeeded && top.stdout.contains("spinner")
                }
            } catch {
                throw FerryProcessError("kubectl top pod never listed the pod; last output: \(output)\n--- dev log ---\n\(session.dev.log.suffix(4000))")
            }
            let lines = output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(lines.first == ["NAME", "CPU(cores)", "MEMORY(bytes)"], "\(output)")
            let row = try #require(lines.first { $0.first == "spinner" })
            // A busy loop: a visible share of a core (kubectl prints millicores) and some memory.
            let millicores = Int(row[1].dropLast()) ?? 0
            #expect(row[1].hasSuffix("m") && millicores > 10 && millicores <= 1100, "\(row)")
            #expect(row[2].hasSuffix("Mi") || row[2].hasSuffix("Ki"), "\(row)")

            // By name, by label, with containers, and across namespaces.
            let byName = try await kubectl.run("top", "pod", "spinner", "-n", "busy-ns", "--containers")
            #expect(byName.succeeded && byName.stdout.contains("spinner") && byName.stdout.contains("spin "), "\(byName.stdout)\(byName.stderr)")
            let byLabel = try await kubectl.run("top", "pod", "-A", "-l", "app=spin")
            #expect(byLabel.succeeded && byLabel.stdout.contains("busy-ns") && byLabel.stdout.contains("spinner"), "\(byLabel.stdout)\(byLabel.stderr)")
            let noMatch = try await kubectl.run("top", "pod", "-n", "busy-ns", "-l", "app=other")
            #expect(noMatch.stderr.contains("No resources found"), "\(noMatch.stdout)\(noMatch.stderr)")
            let missing = try await kubectl.run("top", "pod", "ghost", "-n", "busy-ns")
            #expect(!missing.succeeded && missing.stderr.contains("NotFound"), "\(missing.stderr)")
        }
    }
}
