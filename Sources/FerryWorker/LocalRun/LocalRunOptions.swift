/// What `ferry run` is asked to do (its flags), and where a Connection's local state lives.
import Foundation

public struct LocalRunOptions: Sendable {
    /// Manifest files and directories.
    public var paths: [String]
    /// `NAME` or `NAMESPACE/NAME`; nil when the manifests define exactly one Connection.
    public var connection: String?
    /// Committed state is kept in `<stateDirectory>/<namespace>/<connection>/state.json`.
    public var stateDirectory = ".ferry/state"
    public var secretsDirectory: String?
    /// Image → shell command, for connectors without `spec.command`.
    public var imageCommands: [String: String] = [:]
    /// Ignore the committed state and re-read everything (a Sync's `refresh: refresh`).
    public var fullRefresh = false
    /// Where `FERRY_SECRET_*` values come from.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// The executable that `ferry` in a `spec.command` stands for.
    public var ferryExecutable = LocalConnectorCommand.currentExecutable
    public var progressInterval: Duration?
    public var onProgress: (@Sendable (RelayProgressReport) -> Void)?

    public init(paths: [String]) { self.paths = paths }

    public func statePath(for key: ManifestKey) -> String {
        [stateDirectory, key.namespace, key.name, "state.json"].reduce("") { $0.isEmpty ? $1 : ($0 as NSString).appendingPathComponent($1) }
    }
}
