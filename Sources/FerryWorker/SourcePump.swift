/// The hot path: source stdout → classify each line by its bytes → destination stdin.
/// Counts are kept in locals and merged into the shared progress once per read chunk
/// (and before every STATE, so a state's snapshot covers the records before it).
/// Forwarded lines are written straight from the read buffer, one write per read: runs
/// of consecutive forwarded lines are contiguous there; only a run broken by a dropped
/// line (LOG, TRACE, garbage) is copied, into `out`. Lines of renamed streams are
/// rewritten into `out` too; TRACE STREAM_STATUS is forwarded (destinations finalize an
/// overwritten stream on its COMPLETE), other TRACEs, LOG and CONTROL are not.
/// With `.splice` forwarding (a pipe in; a pipe, socket or file out), the forwarded bytes go
/// from the source's pipe to the destination by `splice` instead of from the buffer
/// (`SpliceForwarder`); what is classified, counted and forwarded stays the same.
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
    /// Only streams whose destination name differs.
    let renames: [StreamDescriptor: RecordRename]
    let maxLineBytes: Int
    let forwarding: RelayForwarding

    init(sourceFD: Int32, destinationFD: Int32, shared: RelayShared, catalogStreams: Set<StreamDescriptor>?,
         renames: [StreamDescriptor: StreamDescriptor] = [:], maxLineBytes: Int, forwarding: RelayForwarding = .splice) {
        self.sourceFD = sourceFD
        self.destinationFD = destinationFD
        self.shared = shared
        self.catalogStreams = catalogStreams
        self.renames = renames.filter { $0.key != $0.value }.mapValues(RecordRename.init(to:))
        self.maxLineBytes = maxLineBytes
        self.forwarding = forwarding
    }

    /// One loop with every counter in a local: no closures capture them, so the hot
    /// path pays for no dynamic exclusivity checks.
    func run() -> PumpOutcome {
        var reader = LineReader(fd: sourceFD, maxLineBytes: maxLineBytes)
        defer { reader.deallocate() }
        var out: [UInt8] = []
        // The splice path, while `splicing`: forwarded runs and copies go into its plan
        // instead of `out`, and are carried out at the end of each read.
        var forwarder = forwarding == .splice ? SpliceForwarder(source: sourceFD, destination: destinationFD) : nil
        defer { forwarder?.release() }
        var splicing = false
        // The run of forwarded lines (with their newlines) not yet written.
        var runStart: UnsafePointer<UInt8>?
        var runEnd: UnsafePointer<UInt8>?
        var current: StreamDescriptor?
        // `current != nil` copies the descriptor (a retain and release of its strings per line).
        var hasCurrent = false
        var currentKnown = false
        var currentRename: RecordRename?
        // The current stream's name and namespace as they appear in the lines.
        var currentRaw = RawBytes(), currentNamespaceRaw = RawBytes()
        var currentHasNamespace = false
        defer { currentRaw.deallocate(); currentNamespaceRaw.deallocate() }
        var count = 0, bytes = 0
        var skipped = SkippedLines()
        var activity = false

        func merge() {
            let (stream, n, b, s) = (current, count, bytes, skipped)
            shared.progress.withLock { Self.merge(&$0, stream: stream, count: n, bytes: b, skipped: s) }
            count = 0
            bytes = 0
            skipped = SkippedLines()
        }
        func copyRun() {
            guard let s = runStart, let e = runEnd else { return }
            if splicing {
                forwarder?.plan.forward(reader.streamOffset(of: s)..<reader.streamOffset(of: e))
            } else {
                out.append(contentsOf: UnsafeBufferPointer(start: s, count: e - s))
            }
            runStart = nil
            runEnd = nil
        }
        /// Forwards a line of the buffer: it extends the pending run when contiguous.
        func forward(_ line: UnsafeBufferPointer<UInt8>, terminated: Bool) {
            guard let start = line.baseAddress, terminated else { forwardCopy(line); return }
            if runEnd != start { copyRun(); runStart = start }
            runEnd = start + line.count + 1
        }
        /// Appends a rewritten (or unterminated) line to `out`, after what is pending.
        func forwardCopy(_ bytes: some Sequence<UInt8>) {
            copyRun()
            if splicing {
                forwarder?.plan.insert(bytes)
                forwarder?.plan.insert(CollectionOfOne(0x0A))
            } else {
                out.append(contentsOf: bytes)
                out.append(0x0A)
            }
        }

        var outcome = PumpOutcome.endOfInput
        reading: while true {
            var atEnd = false
            let filled: LineReader.Fill
            if forwarder != nil {
                let stop = shared.stopSource
                filled = reader.fill { forwarder?.read(into: $0, count: $1, stop: stop) ?? .failed(EIO) }
            } else {
                filled = reader.fill(stop: shared.stopSource)
            }
            splicing = forwarder?.isActive ?? false
            switch filled {
            case .bytes: break
            case .endOfFile: atEnd = true
            case .stopped: outcome = .stopped; break reading
            case .failed(let code): outcome = .sourceReadFailed(code); break reading
            }
            // One search of the whole read for `"namespace"` instead of one per line: lines
            // before the next occurrence skip it (and most sources never write the key).
            let pending = reader.pending()
            let pendingEnd = pending.baseAddress.map { $0 + pending.count }
            var namespaceKey = pending.baseAddress.flatMap { base in LineClassifier.namespaceKey(in: pending).map { base + $0 } }
            while let event = atEnd ? reader.finish() : reader.next() {
                guard case .line(let line, let terminated) = event else { skipped.oversized += 1; continue }
                var check = RecordDataCheck.full
                // Framing only for complete lines; a last line without a newline (a source
                // that died mid-write) gets the full check.
                if terminated, let start = line.baseAddress, let pendingEnd {
                    let lineEnd = start + line.count
                    if let key = namespaceKey, key < lineEnd {
                        check = .framing
                        // The next occurrence, after this line and its newline.
                        let rest = UnsafeBufferPointer(start: lineEnd + 1, count: max(0, pendingEnd - (lineEnd + 1)))
                        namespaceKey = LineClassifier.namespaceKey(in: rest).map { lineEnd + 1 + $0 }
                    } else {
                        check = .framingWithoutNamespaceKey
                    }
                }
                switch LineClassifier.classify(line, recordData: check) {
                case .record(let stream, let namespace):
                    var sameStream = hasCurrent && currentRaw.equals(UnsafeBufferPointer(rebasing: line[stream.range]))
                    if sameStream {
                        if let n = namespace {
                            sameStream = currentHasNamespace && currentNamespaceRaw.equals(UnsafeBufferPointer(rebasing: line[n.range]))
                        } else {
                            sameStream = !currentHasNamespace
                        }
                    }
                    if !sameStream {
                        merge()
                        let d = StreamDescriptor(name: LineClassifier.string(stream, in: line),
                                                 namespace: namespace.map { LineClassifier.string($0, in: line) })
                        current = d
                        hasCurrent = true
                        currentRaw.set(UnsafeBufferPointer(rebasing: line[stream.range]))
                        currentHasNamespace = namespace != nil
                        if let n = namespace { currentNamespaceRaw.set(UnsafeBufferPointer(rebasing: line[n.range])) }
                        currentKnown = catalogStreams?.contains(d) ?? true
                        currentRename = renames[d]
                        if !currentKnown { _ = shared.progress.withLock { $0.unknownStreams.insert(d) } }
                    }
                    guard currentKnown else { skipped.unknownStream += 1; continue }
                    if let rename = currentRename {
                        copyRun()
                        guard rename.rewrite(line, into: &out) else { skipped.notAirbyteMessage += 1; continue }
                        out.append(0x0A)
                        if splicing {
                            forwarder?.plan.insert(out)
                            out.removeAll(keepingCapacity: true)
                        }
                    } else {
                        forward(line, terminated: terminated)
                    }
                    count += 1
                    bytes += line.count
                    activity = true
                case .message(.state):
                    guard case .state(let state)? = try? AirbyteMessage.decode(line) else { skipped.notAirbyteMessage += 1; continue }
                    var forwarded: StateMessage?
                    if case .stream(let d) = state.key, let rename = renames[d] { forwarded = state.renamed(to: rename.target) }
                    // Merged first, so the state's snapshot covers the records before it.
                    merge()
                    shared.progress.withLock { $0.tracker.stateSent(state, forwardedAs: forwarded) }
                    activity = true
                    if let forwarded { forwardCopy(AirbyteMessage.state(forwarded).line.utf8) } else { forward(line, terminated: terminated) }
                case .message(let type):
                    guard let message = try? AirbyteMessage.decode(line) else { skipped.notAirbyteMessage += 1; continue }
                    shared.handle(message, from: .source)
                    guard type == .trace, case .trace(let trace) = message, trace.kind == .streamStatus,
                          let d = trace.stream, catalogStreams?.contains(d) ?? true else { continue }
                    if let rename = renames[d] { forwardCopy(AirbyteMessage.trace(trace.renamed(to: rename.target)).line.utf8) }
                    else { forward(line, terminated: terminated) }
                case .invalid(.notJSON): skipped.notJSON += 1
                case .invalid: skipped.notAirbyteMessage += 1
                }
            }
            merge()
            if activity { shared.markSourceActivity(); activity = false }
            // Writes what this read forwarded: the run straight from the buffer, or `out`
            // when a dropped or rewritten line broke it.
            let written: FileDescriptorIO.WriteResult
            if splicing {
                copyRun()
                forwarder?.plan.discard(upTo: reader.handedOutOffset)
                written = forwarder?.carryOut(stop: shared.stopSource, lineBuffer: { reader.bytes(at: $0) }) ?? .written
            } else if out.isEmpty, let s = runStart, let e = runEnd {
                written = FileDescriptorIO.writeAll(destinationFD, UnsafeRawBufferPointer(start: s, count: e - s), stop: shared.stopSource)
            } else {
                copyRun()
                written = out.isEmpty ? .written : out.withUnsafeBytes { FileDescriptorIO.writeAll(destinationFD, $0, stop: shared.stopSource) }
                out.removeAll(keepingCapacity: true)
            }
            runStart = nil
            runEnd = nil
            switch written {
            case .written: break
            case .stopped: outcome = .stopped; break reading
            case .failed(let code): outcome = .destinationWriteFailed(code); break reading
            }
            if atEnd { break }
            // After a fallback to copying (a long line), splicing resumes once the partial
            // line is short again.
            if !splicing { forwarder?.resume(pending: reader.pending(), at: reader.handedOutOffset) }
        }
        let spliced = forwarder?.splicedBytes ?? 0
        if spliced > 0 { shared.progress.withLock { $0.splicedBytes += spliced } }
        return outcome
    }

    static func merge(_ p: inout RelayProgress, stream: StreamDescriptor?, count: Int, bytes: Int, skipped: SkippedLines) {
        if let stream, count > 0 { p.tracker.recordsEmitted(stream, count: count, bytes: bytes) }
        if skipped.total > 0 {
            p.sourceSkipped.notJSON += skipped.notJSON
            p.sourceSkipped.notAirbyteMessage += skipped.notAirbyteMessage
            p.sourceSkipped.unknownStream += skipped.unknownStream
            p.sourceSkipped.oversized += skipped.oversized
            p.sourceSkipped.unexpectedType += skipped.unexpectedType
        }
    }

}

/// A copy of a few bytes of a line (the current stream's name), compared with each
/// RECORD's without reference counting: an Array here cost a retain and a release per line.
struct RawBytes {
    private var storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 64)
    private var count = 0

    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > storage.count {
            storage.deallocate()
            storage = .allocate(capacity: bytes.count)
        }
        if let source = bytes.baseAddress, let target = storage.baseAddress { target.update(from: source, count: bytes.count) }
        count = bytes.count
    }

    @inline(__always) func equals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == count else { return false }
        var k = 0
        while k < count { if storage[k] != bytes[k] { return false }; k += 1 }
        return true
    }

    func deallocate() { storage.deallocate() }
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
