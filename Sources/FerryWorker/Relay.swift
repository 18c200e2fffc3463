/// The relay between a source and a destination connector: runs them (or attaches to
/// their pipes), moves the bytes, watches for silence, flushes committed state, and
/// decides the attempt's outcome from both exit codes and the connectors' TRACE errors.
import AirbyteProtocol
import Foundation
import KubeCore
import Synchronization

public struct Relay: Sendable {
    public var configuration: RelayConfiguration
    public var sink: (any RelayStateSink)?

    public init(configuration: RelayConfiguration, sink: (any RelayStateSink)? = nil) {
        self.configuration = configuration
        self.sink = sink
    }

    /// Runs one attempt to completion; cancelling the calling task stops both connectors
    /// and fails the attempt. Throws only when a connector cannot be started. Writes the
    /// stop marker, if configured, in every case.
    public func run() async throws(ChildProcessError) -> RelayResult {
        let result: RelayResult
        do { result = try await attempt() } catch {
            writeStopMarker(succeeded: false, failure: RelayFailure(origin: .relay, failureType: .systemError, message: error.description))
            throw error
        }
        writeStopMarker(succeeded: result.succeeded, failure: result.failure)
        return result
    }

    func writeStopMarker(succeeded: Bool, failure: RelayFailure?) {
        guard let path = configuration.stopMarkerPath else { return }
        do { try RelayStopMarker.write(to: path, succeeded: succeeded, failure: failure) } catch {
            configuration.logger.error("\(error.description)")
        }
    }

    func attempt() async throws(ChildProcessError) -> RelayResult {
        // A destination that dies must surface as EPIPE on write, not kill the worker.
        signal(SIGPIPE, SIG_IGN)
        let config = configuration
        let shared = RelayShared(logger: config.logger)
        shared.progress.withLock { $0.tracker = StateTracker(inputState: config.inputState) }
        let started = ContinuousClock.now

        var sourceProcess: ChildProcess?
        let sourceFD: Int32
        switch config.source {
        case .command(let c):
            let p = try ChildProcess(command: c)
            close(p.stdinFD)
            sourceProcess = p
            sourceFD = p.stdoutFD
        case .descriptors(let read, _): sourceFD = read
        }
        var destinationProcess: ChildProcess?
        let destinationIn: Int32, destinationOut: Int32
        switch config.destination {
        case .command(let c):
            do { destinationProcess = try ChildProcess(command: c) } catch {
                sourceProcess?.terminate()
                throw error
            }
            destinationIn = destinationProcess?.stdinFD ?? -1
            destinationOut = destinationProcess?.stdoutFD ?? -1
        case .descriptors(let read, let write):
            guard let write else {
                sourceProcess?.terminate()
                throw ChildProcessError(description: "starting the relay: the destination needs a descriptor for its input")
            }
            FileDescriptorIO.setNonBlocking(write)
            destinationIn = write
            destinationOut = read
        }

        let outcome = OutcomeBox()
        let catalogStreams = config.catalog.map { Set($0.streams.map(\.descriptor)) }
        let sourceProc = sourceProcess, destinationProc = destinationProcess
        shared.markSourceActivity()

        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { outer in
                outer.addTask { await Self.tick(config: config, shared: shared, sink: sink, source: sourceProc, destination: destinationProc) }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        let pump = SourcePump(sourceFD: sourceFD, destinationFD: destinationIn, shared: shared,
                                              catalogStreams: catalogStreams, renames: config.streamRenames, maxLineBytes: config.maxLineBytes,
                                              forwarding: config.forwarding)
                        let result = await onThread("relay-source") { pump.run() }
                        close(destinationIn)
                        close(sourceFD)
                        shared.progress.withLock { $0.sourceFinished = true }
                        outcome.value.withLock { $0.pump = result }
                        if case .destinationWriteFailed = result { sourceProc?.terminate() }
                        if case .stopped = result { sourceProc?.terminate() }
                        if let code = await sourceProc?.waitForExit() { outcome.value.withLock { $0.sourceExit = code } }
                    }
                    group.addTask {
                        await onThread("relay-destination") { DestinationReader(fd: destinationOut, shared: shared, maxLineBytes: config.maxLineBytes).run() }
                        close(destinationOut)
                        if let code = await destinationProc?.waitForExit() {
                            outcome.value.withLock { $0.destinationExit = code }
                            // A destination that is gone will not read more: stop the source now.
                            shared.stopSource.stop()
                        }
                    }
                    if let p = sourceProc {
                        group.addTask {
                            let tail = await collectTail(of: p.stderrFD, label: "source", passThrough: config.passThroughStderr)
                            outcome.value.withLock { $0.sourceStderr = tail }
                        }
                    }
                    if let p = destinationProc {
                        group.addTask {
                            let tail = await collectTail(of: p.stderrFD, label: "destination", passThrough: config.passThroughStderr)
                            outcome.value.withLock { $0.destinationStderr = tail }
                        }
                    }
                }
                outer.cancelAll()
            }
        } onCancel: {
            shared.cancelled.stop()
            shared.stopSource.stop()
            shared.stopDestination.stop()
            sourceProc?.terminate()
            destinationProc?.terminate()
        }

        let o = outcome.value.withLock { $0 }
        var progress = shared.progress.withLock { $0 }
        let failure = shared.cancelled.isStopped
            ? RelayFailure(origin: .relay, failureType: .transientError, message: "the relay was stopped before the connectors finished")
            : Self.failure(o, progress: progress, timedOut: shared.timedOut.isStopped, config: config,
                                   sourceTerminated: sourceProc?.wasTerminatedByRelay ?? false,
                                   destinationTerminated: destinationProc?.wasTerminatedByRelay ?? false)
        if failure == nil && progress.tracker.statesEmitted == 0 {
            progress.tracker.commitAllRecords()
        }
        let result = RelayResult(progress: progress, sourceExitCode: o.sourceExit, destinationExitCode: o.destinationExit,
                                 failure: failure, duration: started.duration(to: .now))
        await Self.flush(sink: sink, progress: progress, final: true, logger: shared)
        config.onProgress?(RelayProgressReport(progress, elapsed: result.duration, finished: true))
        return result
    }

    final class OutcomeBox: Sendable { let value = Mutex(Outcome()) }

    struct Outcome: Sendable {
        var pump: PumpOutcome?
        var sourceExit: Int32?
        var destinationExit: Int32?
        var sourceStderr = ""
        var destinationStderr = ""
    }

    static func failure(_ o: Outcome, progress p: RelayProgress, timedOut: Bool, config: RelayConfiguration,
                        sourceTerminated: Bool, destinationTerminated: Bool) -> RelayFailure? {
        func withTail(_ text: String, _ tail: String) -> String { tail.isEmpty ? text : "\(text): \(tail.split(separator: "\n").suffix(5).joined(separator: "\n"))" }
        if timedOut {
            return RelayFailure(origin: .source, failureType: .transientError,
                                message: "the source sent no RECORD or STATE for \(config.sourceSilenceTimeout)")
        }
        if let e = p.sourceTraceError { return e }
        if let e = p.destinationTraceError { return e }
        if let code = o.sourceExit, code != 0, !sourceTerminated {
            return RelayFailure(origin: .source, failureType: .systemError, message: withTail("the source exited with code \(code)", o.sourceStderr))
        }
        if let code = o.destinationExit, code != 0 {
            return RelayFailure(origin: .destination, failureType: .systemError,
                                message: withTail("the destination exited with code \(code)\(destinationTerminated ? " after the relay stopped it" : "")", o.destinationStderr))
        }
        switch o.pump {
        case .destinationWriteFailed(let code)?:
            return RelayFailure(origin: .destination, failureType: .systemError,
                                message: withTail("the destination stopped reading its input (\(FileDescriptorIO.describe(code)))", o.destinationStderr))
        case .sourceReadFailed(let code)?:
            return RelayFailure(origin: .relay, failureType: .systemError, message: "reading the source's output: \(FileDescriptorIO.describe(code))")
        case .stopped?:
            return RelayFailure(origin: .destination, failureType: .systemError, message: "the destination finished before the source")
        case .endOfInput?, nil:
            return nil
        }
    }

    /// Every tick: the silence timeout, the destination drain timeout, periodic flushes.
    static func tick(config: RelayConfiguration, shared: RelayShared, sink: (any RelayStateSink)?,
                     source: ChildProcess?, destination: ChildProcess?) async {
        let silence = config.sourceSilenceTimeout.nanoseconds
        let progressEvery = config.onProgress == nil ? nil : config.progressInterval?.nanoseconds
        let tick = Duration.nanoseconds(max(5_000_000, min(100_000_000, silence / 4, config.flushInterval.nanoseconds, progressEvery ?? .max)))
        var lastFlush = shared.elapsedNanos
        var lastProgress = lastFlush
        var sourceFinishedAt: Int64?
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            if Task.isCancelled { break }
            let now = shared.elapsedNanos
            let finished = shared.progress.withLock { $0.sourceFinished }
            if !finished, !shared.timedOut.isStopped, shared.nanosSinceSourceActivity > silence {
                shared.logger.error("the source sent no RECORD or STATE for \(config.sourceSilenceTimeout); stopping it")
                shared.timedOut.stop()
                shared.stopSource.stop()
                source?.terminate()
            }
            if finished {
                if sourceFinishedAt == nil { sourceFinishedAt = now }
                if let at = sourceFinishedAt, now - at > config.destinationDrainTimeout.nanoseconds, !shared.stopDestination.isStopped {
                    shared.logger.error("the destination did not finish within \(config.destinationDrainTimeout) of the source; stopping it")
                    shared.stopDestination.stop()
                    destination?.terminate()
                }
            }
            if let progressEvery, let onProgress = config.onProgress, now - lastProgress >= progressEvery {
                lastProgress = now
                let progress = shared.progress.withLock { $0 }
                onProgress(RelayProgressReport(progress, elapsed: .nanoseconds(now), finished: false))
            }
            if now - lastFlush >= config.flushInterval.nanoseconds {
                lastFlush = now
                let progress = shared.progress.withLock { $0 }
                await flush(sink: sink, progress: progress, final: false, logger: shared)
            }
        }
    }

    static func flush(sink: (any RelayStateSink)?, progress: RelayProgress, final: Bool, logger shared: RelayShared) async {
        guard let sink else { return }
        let snapshot = RelaySnapshot(committedState: progress.tracker.committedStateInput, stats: RelayResult.stats(progress.tracker),
                                     configUpdates: progress.configUpdates, isFinal: final)
        do { try await sink.flush(snapshot) } catch { shared.logger.error("flushing committed state: \(error)") }
    }
}
