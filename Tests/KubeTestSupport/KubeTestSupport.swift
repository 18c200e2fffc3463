/// Shared fixtures for test targets: an embedded API server scoped to a test body, and
/// polling for eventually-true conditions (no sleeps as synchronisation).
import Foundation
import KubeAPIServer

public enum KubeTestSupport {}

/// Starts an embedded API server on an ephemeral loopback port, runs `body`, and always shuts it down.
public func withAPIServer<T>(_ configuration: APIServerConfiguration = .init(), _ body: (EmbeddedAPIServer) async throws -> T) async throws -> T {
    var configuration = configuration
    configuration.host = configuration.host.isEmpty ? "127.0.0.1" : configuration.host
    let server = try EmbeddedAPIServer(configuration: configuration)
    try await server.start()
    do {
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}

public struct WaitTimeoutError: Error, CustomStringConvertible {
    public var timeout: Duration
    public var description: String { "condition not met within \(timeout)" }
}

/// Polls `condition` every 20 ms until it returns true; throws `WaitTimeoutError` after `timeout`.
public func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if try await condition() { return }
        if clock.now >= deadline { throw WaitTimeoutError(timeout: timeout) }
        try await Task.sleep(for: .milliseconds(20))
    }
}
