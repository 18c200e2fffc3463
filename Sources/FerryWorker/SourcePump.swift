/// The hot path: source stdout → classify each line by its bytes → destination stdin.
/// Counts are kept in locals and merged into the shared progress once per read chunk
/// (and before every STATE, so a state's snapshot covers the records before it).
/// Forwarded lines are written straight from the read buffer, one write per read: runs
/// of consecutive forwarded lines are contiguous there; only a run broken by a dropped
/// line (LOG, TRACE, garbage) is copied, into `out`.
import AirbyteProtocol
import KubeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum PumpOutcome: Sendable {
    case endOfInput
    case stopped
    case destinationWriteFailed(Int32)
    case sourceReadFailed(Int32)
}

struct SourcePump {
    let sourceFD: Int32
    let destinationFD: Int32
    let shared: RelayShared
    let catalogStreams: Set<StreamDescriptor>?
    let maxLineBytes: Int

    func run() -> PumpOutcome {
        var reader = LineReader(fd: sourceFD, maxLineBytes: maxLineBytes)
        defer { reader.deallocate() }
        var out: [UInt8] = []
        // The run of forwarded lines (with their newlines) not yet written.
        var runStart: UnsafePointer<UInt8>?
        var runEnd: UnsafePointer<UInt8>?
        var current: StreamDescriptor?
        var currentKnown = false
        var currentRaw: [UInt8] = []
        var currentNamespaceRaw: [UInt8]?
        var count = 0, bytes = 0
        var skipped = SkippedLines()
        var activity = false
        var writeFailure: Int32?

        func mergeLocked(_ p: inout RelayProgress) {
            if let current, count > 0 { p.tracker.recordsEmitted(current, count: count, bytes: bytes) }
            count = 0
            bytes = 0
            if skipped.total > 0 {
                p.sourceSkipped.notJSON += skipped.notJSON
                p.sourceSkipped.notAirbyteMessage += skipped.notAirbyteMessage
                p.sourceSkipped.unknownStream += skipped.unknownStream
                p.sourceSkipped.oversized += skipped.oversized
                p.sourceSkipped.unexpectedType += skipped.unexpectedType
                skipped = SkippedLines()
            }
        }
        func copyRun() {
            guard let s = runStart, let e = runEnd else { return }
            out.append(contentsOf: UnsafeBufferPointer(start: s, count: e - s))
            runStart = nil
            runEnd = nil
        }
        func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
            switch FileDescriptorIO.writeAll(destinationFD, bytes, stop: shared.stopSource) {
            case .written: return true
            case .stopped: return false
            case .failed(let code): writeFailure = code; return false
            }
        }
        /// Writes what this read forwarded: the run from the buffer, or `out` when a
        /// dropped line broke it.
        func write() -> Bool {
            if out.isEmpty, let s = runStart, let e = runEnd {
                runStart = nil
                runEnd = nil
                return writeAll(UnsafeRawBufferPointer(start: s, count: e - s))
            }
            copyRun()
            guard !out.isEmpty else { return true }
            let ok = out.withUnsafeBytes { writeAll($0) }
            out.removeAll(keepingCapacity: true)
            return ok
        }
        func forward(_ line: UnsafeBufferPointer<UInt8>, terminated: Bool) -> Bool {
            guard let start = line.baseAddress, terminated else {
                copyRun()
                out.append(contentsOf: line)
                out.append(0x0A)
                return true
            }
            if runEnd != start { copyRun(); runStart = start }
            runEnd = start + line.count + 1
            return true
        }
        func same(_ span: StringSpan, _ raw: [UInt8], in line: UnsafeBufferPointer<UInt8>) -> Bool {
            span.range.count == raw.count && raw.withUnsafeBytes { r in
                memcmp(line.baseAddress! + span.range.lowerBound, r.baseAddress!, raw.count) == 0
            }
        }

        let outcome = reader.run(stop: shared.stopSource, handle: { event in
            guard case .line(let line, let terminated) = event else { skipped.oversized += 1; return true }
            // Framing only for complete lines; a last line without a newline (a source that
            // died mid-write) gets the full check.
            switch LineClassifier.classify(line, recordData: terminated ? .framing : .full) {
            case .record(let stream, let namespace):
                let sameStream = current != nil && same(stream, currentRaw, in: line) && {
                    switch (namespace, currentNamespaceRaw) {
                    case (nil, nil): return true
                    case (let n?, let raw?): return same(n, raw, in: line)
                    default: return false
                    }
                }()
                if !sameStream {
                    shared.progress.withLock { mergeLocked(&$0) }
                    let d = StreamDescriptor(name: LineClassifier.string(stream, in: line),
                                             namespace: namespace.map { LineClassifier.string($0, in: line) })
                    current = d
                    currentRaw = Array(line[stream.range])
                    currentNamespaceRaw = namespace.map { Array(line[$0.range]) }
                    currentKnown = catalogStreams?.contains(d) ?? true
                    if !currentKnown { _ = shared.progress.withLock { $0.unknownStreams.insert(d) } }
                }
                guard currentKnown else { skipped.unknownStream += 1; return true }
                count += 1
                bytes += line.count
                activity = true
                return forward(line, terminated: terminated)
            case .message(.state):
                guard case .state(let state)? = try? AirbyteMessage.decode(line) else { skipped.notAirbyteMessage += 1; return true }
                shared.progress.withLock { p in
                    mergeLocked(&p)
                    p.tracker.stateSent(state)
                }
                activity = true
                return forward(line, terminated: terminated)
            case .message:
                guard let message = try? AirbyteMessage.decode(line) else { skipped.notAirbyteMessage += 1; return true }
                shared.handle(message, from: .source)
                return true
            case .invalid(.notJSON): skipped.notJSON += 1; return true
            case .invalid: skipped.notAirbyteMessage += 1; return true
            }
        }, chunkDone: {
            shared.progress.withLock { mergeLocked(&$0) }
            if activity { shared.markSourceActivity(); activity = false }
            return write()
        })
        if let writeFailure { return .destinationWriteFailed(writeFailure) }
        switch outcome {
        case .endOfFile: return .endOfInput
        case .stopped, .handlerStopped: return .stopped
        case .failed(let code): return .sourceReadFailed(code)
        }
    }
}

/// Reads the destination's stdout: STATE echoes commit, LOG/TRACE/CONTROL are recorded.
struct DestinationReader {
    let fd: Int32
    let shared: RelayShared
    let maxLineBytes: Int

    func run() {
        var reader = LineReader(fd: fd, initialBytes: 1 << 16, maxLineBytes: maxLineBytes)
        defer { reader.deallocate() }
        _ = reader.run(stop: shared.stopDestination, handle: { event in
            guard case .line(let line, _) = event else {
                shared.progress.withLock { $0.destinationSkipped.oversized += 1 }
                return true
            }
            switch LineClassifier.classify(line) {
            case .message(.state):
                guard case .state(let state)? = try? AirbyteMessage.decode(line) else {
                    shared.progress.withLock { $0.destinationSkipped.notAirbyteMessage += 1 }
                    return true
                }
                let outcome = shared.progress.withLock { $0.tracker.echoReceived(state) }
                if outcome == .outOfOrder || outcome == .unknown {
                    shared.logger.warning("destination echoed a \(state.key) state \(outcome == .outOfOrder ? "out of order" : "the source never sent"); ignored")
                }
            case .message:
                guard let message = try? AirbyteMessage.decode(line) else {
                    shared.progress.withLock { $0.destinationSkipped.notAirbyteMessage += 1 }
                    return true
                }
                shared.handle(message, from: .destination)
            case .record: shared.progress.withLock { $0.destinationSkipped.unexpectedType += 1 }
            case .invalid(.notJSON): shared.progress.withLock { $0.destinationSkipped.notJSON += 1 }
            case .invalid: shared.progress.withLock { $0.destinationSkipped.notAirbyteMessage += 1 }
            }
            return true
        }, chunkDone: { true })
    }
}
