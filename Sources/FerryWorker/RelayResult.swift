/// The outcome of one relay run, its JSON summary, and where committed state goes.
import AirbyteProtocol
import Foundation
import KubeCore

public struct RelayResult: Sendable {
    public var progress: RelayProgress
    public var sourceExitCode: Int32?
    public var destinationExitCode: Int32?
    public var failure: RelayFailure?
    public var duration: Duration
    public var succeeded: Bool { failure == nil }

    /// The committed state, in the shape a source's `--state` takes.
    public var committedState: JSONValue? { progress.tracker.committedStateInput }

    /// The final JSON summary (never includes connector configuration).
    public var summary: JSONValue {
        let p = progress
        var s = RelayResult.stats(p.tracker)
        s["succeeded"] = .bool(succeeded)
        if let failure { s["failure"] = failure.json }
        s["source"] = sourceExitCode.map { ["exitCode": .int(Int64($0))] } ?? .emptyObject
        s["destination"] = destinationExitCode.map { ["exitCode": .int(Int64($0))] } ?? .emptyObject
        s["committedState"] = committedState ?? .null
        s["skippedLines"] = ["source": p.sourceSkipped.json, "destination": p.destinationSkipped.json]
        s["unknownStreams"] = .array(p.unknownStreams.sorted().map { .string($0.description) })
        s["outOfOrderStateEchoes"] = .int(Int64(p.tracker.outOfOrderEchoes))
        s["unknownStateEchoes"] = .int(Int64(p.tracker.unknownEchoes))
        s["streamStatuses"] = .object(Dictionary(uniqueKeysWithValues: p.streamStatuses.map { ($0.key.description, JSONValue.string($0.value)) }))
        s["logMessages"] = .object(p.logCounts.mapValues { .int(Int64($0)) })
        s["controlMessages"] = .int(Int64(p.controlMessages))
        s["durationSeconds"] = .double(Double(duration.nanoseconds) / 1e9)
        return s
    }

    /// Counters in the shape of a Sync's `status.stats`.
    public static func stats(_ t: StateTracker) -> JSONValue {
        [
            "recordsEmitted": .int(Int64(t.recordsEmitted)),
            "bytesEmitted": .int(Int64(t.bytesEmitted)),
            "recordsCommitted": .int(Int64(t.recordsCommitted)),
            "stateMessagesEmitted": .int(Int64(t.statesEmitted)),
            "stateMessagesCommitted": .int(Int64(t.statesCommitted)),
            "streams": .array(t.streams.sorted { $0.key < $1.key }.map { d, s in
                var o: JSONValue = ["name": .string(d.name), "recordsEmitted": .int(Int64(s.recordsEmitted)),
                                    "bytesEmitted": .int(Int64(s.bytesEmitted)), "recordsCommitted": .int(Int64(s.recordsCommitted))]
                if let ns = d.namespace { o["namespace"] = .string(ns) }
                return o
            }),
        ]
    }
}

/// What the relay hands its sink every flush interval and at the end.
public struct RelaySnapshot: Sendable {
    /// Committed state in `--state` shape; nil while nothing is committed.
    public var committedState: JSONValue?
    /// Counters in the shape of a Sync's `status.stats`.
    public var stats: JSONValue
    /// New connector configuration from CONTROL messages (may hold secrets).
    public var configUpdates: [ConnectorRole: JSONValue]
    public var isFinal: Bool
}

/// Where committed state and stats go: a file locally, the cluster's state store in a Pod.
public protocol RelayStateSink: Sendable {
    func flush(_ snapshot: RelaySnapshot) async throws
}

/// Writes the committed state (and optionally stats) to files, atomically (write to a
/// temporary file, then rename), so a crash never leaves half a state behind.
public struct FileStateSink: RelayStateSink {
    public var statePath: String?
    public var statsPath: String?
    public init(statePath: String?, statsPath: String? = nil) {
        self.statePath = statePath
        self.statsPath = statsPath
    }

    public func flush(_ snapshot: RelaySnapshot) async throws {
        if let statePath, let state = snapshot.committedState { try Self.writeAtomically(state.prettyPrinted() + "\n", to: statePath) }
        if let statsPath { try Self.writeAtomically(snapshot.stats.prettyPrinted() + "\n", to: statsPath) }
    }

    /// Writes a temporary file beside `path`, then renames it over `path`. When `path` is
    /// something other than a regular file (`/dev/null`, a named pipe, a terminal) it is
    /// written in place instead: renaming over it would replace the device with a file.
    static func writeAtomically(_ text: String, to path: String) throws(ChildProcessError) {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { throw ChildProcessError(description: "opening \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw ChildProcessError(description: "writing \(path): \(String(cString: strerror(errno)))") }
            return
        }
        let temporary = path + ".tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw ChildProcessError(description: "writing relay state to \(temporary): \(error)")
        }
        guard rename(temporary, path) == 0 else {
            throw ChildProcessError(description: "renaming \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
