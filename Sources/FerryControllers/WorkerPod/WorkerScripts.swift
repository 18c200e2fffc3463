/// The `sh -c` scripts of a worker pod's containers, as pure functions of paths and
/// commands: the init script creating the named pipes, the connector wrapper that stops
/// its connector when the stop marker appears, and the orchestrator wrapper.
public enum WorkerScripts {
    /// How a connector container starts its connector.
    public enum Entrypoint: Sendable, Hashable {
        /// The image's `AIRBYTE_ENTRYPOINT` (set by every Airbyte connector image), word-split
        /// as Airbyte's own wrapper does.
        case airbyteEntrypoint
        /// `spec.command` of the Source or Destination, one argv element each.
        case command([String])
    }

    public struct ConnectorWrapper: Sendable, Hashable {
        /// `source` or `destination`, for messages.
        public var role: String
        public var entrypoint: Entrypoint
        /// Airbyte arguments, e.g. `read --config … --catalog …`.
        public var arguments: [String]
        public var stdinPath: String?
        public var stdoutPath: String
        public var stopMarkerPath: String
        public var pollSeconds: Int
        public var graceSeconds: Int

        public init(role: String, entrypoint: Entrypoint, arguments: [String], stdinPath: String? = nil, stdoutPath: String, stopMarkerPath: String, pollSeconds: Int = 1, graceSeconds: Int = 10) {
            self.role = role
            self.entrypoint = entrypoint
            self.arguments = arguments
            self.stdinPath = stdinPath
            self.stdoutPath = stdoutPath
            self.stopMarkerPath = stopMarkerPath
            self.pollSeconds = pollSeconds
            self.graceSeconds = graceSeconds
        }
    }

    /// Creates the named pipes, writable by every container's user (they may differ).
    public static func initScript(pipes: [String]) -> String {
        "mkfifo -m 0666 " + pipes.map(shellQuote).joined(separator: " ")
    }

    /// Runs the connector in the background with its stdio on the pipes and exits with its
    /// exit code. A watcher stops it (SIGTERM, then SIGKILL after the grace period) once
    /// the stop marker exists, so no connector outlives its attempt; SIGTERM to the
    /// wrapper (pod deletion; the wrapper is PID 1, which has no default handler) is
    /// forwarded. The pipes are opened inside the background job, before the connector
    /// starts, so that a connector that cannot start still closes its end of the pipe and
    /// the orchestrator sees end of input instead of waiting forever.
    public static func connectorScript(_ w: ConnectorWrapper) -> String {
        let args = w.arguments.map(shellQuote).joined(separator: " ")
        let start: String
        switch w.entrypoint {
        case .airbyteEntrypoint:
            start = """
            if [ -z "${AIRBYTE_ENTRYPOINT:-}" ]; then echo "ferry: the \(w.role) image sets no AIRBYTE_ENTRYPOINT; set spec.command" >&2; exit 127; fi
              exec $AIRBYTE_ENTRYPOINT \(args)
            """
        case .command(let argv):
            start = "exec " + (argv + w.arguments).map(shellQuote).joined(separator: " ")
        }
        let stdin = w.stdinPath.map { " <" + shellQuote($0) } ?? ""
        return """
        stop=\(shellQuote(w.stopMarkerPath))
        child=
        trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; else exit 143; fi' TERM INT
        ( \(start)
        )\(stdin) >\(shellQuote(w.stdoutPath)) &
        child=$!
        (
          trap 'kill "$s" 2>/dev/null; exit 0' TERM
          s=
          while [ ! -e "$stop" ]; do
            kill -0 "$child" 2>/dev/null || exit 0
            sleep \(w.pollSeconds) & s=$!; wait "$s"
          done
          echo "ferry: the orchestrator has stopped; stopping the \(w.role) connector" >&2
          kill -TERM "$child" 2>/dev/null
          i=0
          while [ "$i" -lt \(w.graceSeconds) ]; do
            sleep 1 & s=$!; wait "$s"
            kill -0 "$child" 2>/dev/null || exit 0
            i=$((i + 1))
          done
          kill -KILL "$child" 2>/dev/null
        ) &
        watcher=$!
        while :; do
          wait "$child"; rc=$?
          kill -0 "$child" 2>/dev/null || break
        done
        kill "$watcher" 2>/dev/null
        wait "$watcher" 2>/dev/null
        exit "$rc"
        """
    }

    /// Runs the relay with its JSON summary into `summaryPath`, forwards SIGTERM, makes
    /// sure the stop marker exists when it exits (the relay writes it itself, but not when
    /// killed outright, e.g. by the OOM killer), copies the summary to the termination
    /// message and the log, and exits with the relay's exit code.
    public static func orchestratorScript(relayArgv: [String], summaryPath: String, stopMarkerPath: String, terminationMessagePath: String) -> String {
        """
        stop=\(shellQuote(stopMarkerPath))
        summary=\(shellQuote(summaryPath))
        child=
        trap 'if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; else : >"$stop"; exit 143; fi' TERM INT
        \(relayArgv.map(shellQuote).joined(separator: " ")) >"$summary" &
        child=$!
        while :; do
          wait "$child"; rc=$?
          kill -0 "$child" 2>/dev/null || break
        done
        [ -e "$stop" ] || : >"$stop"
        cat "$summary" 2>/dev/null >\(shellQuote(terminationMessagePath)) || true
        cat "$summary" 2>/dev/null
        exit "$rc"
        """
    }

    /// `value` as one shell word: unchanged when it holds only characters the shell
    /// leaves alone, else single-quoted.
    public static func shellQuote(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "_@%+=:,./-".unicodeScalars.contains(c)
        }
        if plain && !value.isEmpty { return value }
        return "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
