/// `--log-format json|text` of the long-running commands: JSON lines for a cluster's log
/// collector (API.md: "JSON logs"), swift-log's text lines for a terminal.
import ArgumentParser
import KubeRuntime
import Logging

enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, text

    /// Installs the process's log handler. Call it first in `run()`: a Logger keeps the
    /// handler it was made with, so one made earlier would still write text.
    func bootstrap() {
        switch self {
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        // swift-log's default handler already writes text to stderr.
        case .text: break
        }
    }
}
