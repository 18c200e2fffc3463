/// Request logging names method, path and code, and never bodies, headers or tokens.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Logging
import Testing

@Suite struct LoggingIntegrationTests {
    @Test func logsWithoutSecretsOrBodies() async throws {
        let sink = LogSink()
        try await withAPIServer { server in
            let config = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
            var logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
            logger.logLevel = .trace
            let client = try KubernetesClient(configuration: config, logger: logger)
            do {
                _ = try await client.create(
                    ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["password": "BODY-SECRET"]], .secret, namespace: "default")
                _ = try? await client.get(.secret, name: "absent", namespace: "default")
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            let lines = sink.lines
            #expect(lines.contains { $0.contains("POST") && $0.contains("/api/v1/namespaces/default/secrets") && $0.contains("201") }, "\(lines)")
            #expect(lines.contains { $0.contains("GET") && $0.contains("/secrets/absent") && $0.contains("404") }, "\(lines)")
            for line in lines {
                #expect(!line.contains(server.bearerToken), "token in log: \(line)")
                #expect(!line.contains("BODY-SECRET"), "body in log: \(line)")
                #expect(!line.contains("Authorization"), "header in log: \(line)")
            }
        }
    }
}

/// Collects formatted log lines (message plus metadata).
final class LogSink: @unchecked Sendable {
    // Safe: every access goes through `lock`.
    private let lock = NSLock()
    private var stored: [String] = []
    var lines: [String] { lock.withLock { stored } }
    func append(_ line: String) { lock.withLock { stored.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = self.metadata.merging(metadata ?? [:]) { _, new in new }
        sink.append("\(level) \(message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
