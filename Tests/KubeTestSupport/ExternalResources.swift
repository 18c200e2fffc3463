/// What `scripts/test.sh` sets up outside the Swift build: a PostgreSQL server on a
/// loopback port, the PyPI connectors' virtual environment, and the built `ferry` binary.
import Foundation

public enum ExternalResources {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The test server's URL (`postgres://ferry@127.0.0.1:PORT/postgres`), from `FERRY_TEST_POSTGRES_URL`.
    public static var postgresURL: String? { environment["FERRY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The directory holding PyPI connector console scripts (`source-faker`), from `FERRY_TEST_CONNECTOR_PATH`.
    public static var connectorPath: String? { environment["FERRY_TEST_CONNECTOR_PATH"].flatMap { $0.isEmpty ? nil : $0 } }

    /// Set by `scripts/test.sh`: tests needing these resources must run, not skip.
    public static var required: Bool { environment["FERRY_TEST_REQUIRE_EXTERNAL"] == "1" }

    /// Whether tests needing PostgreSQL run: when it is there, or when it is required (so
    /// that a missing server fails the run instead of skipping silently).
    public static var postgresEnabled: Bool { postgresURL != nil || required }
    /// Whether tests needing the PyPI connectors run (same rule).
    public static var connectorsEnabled: Bool { connectorPath != nil || required }

    /// The built `ferry` executable: next to the test bundle in the build directory.
    public static var ferryBinary: String {
        let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("ferry").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ferry").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }
}

public struct MissingExternalResource: Error, CustomStringConvertible {
    public var description: String
    public init(_ what: String) {
        description = "\(what) is not set up: run the suite through scripts/test.sh (it starts PostgreSQL and installs the PyPI connectors)"
    }
}
