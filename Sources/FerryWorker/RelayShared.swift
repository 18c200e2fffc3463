/// State shared by the relay's threads: the progress under a lock, stop flags, and
/// the time of the source's last RECORD or STATE.
import AirbyteProtocol
import Logging
import Synchronization

final class RelayShared: Sendable {
    let progress = Mutex(RelayProgress())
    /// Stops the source pump (silence timeout, destination failure).
    let stopSource = StopFlag()
    /// Stops the destination reader (drain timeout).
    let stopDestination = StopFlag()
    let timedOut = StopFlag()
    /// The task running the relay was cancelled (the worker is shutting down).
    let cancelled = StopFlag()
    let logger: Logger
    private let start = ContinuousClock.now
    private let lastActivityNanos = Atomic<Int64>(0)

    init(logger: Logger) { self.logger = logger }

    var elapsedNanos: Int64 {
        let d = start.duration(to: .now)
        return d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
    }

    func markSourceActivity() { lastActivityNanos.store(elapsedNanos, ordering: .relaxed) }
    var nanosSinceSourceActivity: Int64 { elapsedNanos - lastActivityNanos.load(ordering: .relaxed) }

    func handle(_ message: AirbyteMessage, from role: ConnectorRole) {
        let logger = self.logger
        progress.withLock { p in
            p.handle(message, from: role) { level, text in
                switch level {
                case "FATAL", "ERROR": logger.error("\(text)")
                case "WARN": logger.warning("\(text)")
                case "DEBUG", "TRACE": logger.debug("\(text)")
                default: logger.info("\(text)")
                }
            }
        }
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
