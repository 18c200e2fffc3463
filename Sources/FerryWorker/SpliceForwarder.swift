/// The source pump's zero-copy path (Linux): forwarded bytes reach the destination
/// without being copied out of the kernel a second time. Each read `tee`s the source's
/// pipe into a private scratch pipe (which shares the pipe's pages, consuming nothing),
/// then `read`s the same count into the line buffer to classify it; the decided ranges
/// (a `SplicePlan`) are then `splice`d from the scratch pipe to the destination or
/// dropped. Three copies per byte instead of four (source write, relay read, destination
/// read), and one page allocation instead of two.
///
/// Why this is safe where `vmsplice` of the relay's buffer was not: the pages moved are
/// the source pipe's own buffers, which nobody writes again (`tee` clears the copies'
/// merge flag, so a later write into the source pipe never lands in a page the scratch
/// pipe or the destination still reads). It assumes the relay is the source pipe's only
/// reader, as it is: the count read is the count tee'd.
///
/// Anything unusual falls back to the copy path, keeping the byte order: a source that
/// is not a pipe, a destination `splice` refuses, a partial line that outgrows the
/// scratch pipe. The scratch pipe's undecided bytes are then dropped (they are in the
/// line buffer too), and the copy path goes on from the line buffer; once the partial
/// line is short again, it is written into the scratch pipe and splicing resumes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SpliceForwarder {
    /// The undecided tail the scratch pipe keeps after a read must leave at least this
    /// much room, else the pump copies until the long line is done.
    static let minimumRoom = 64 << 10
    /// A partial line up to this long is written into the scratch pipe to resume splicing.
    static let resumeLimit = 64 << 10

    let source: Int32
    let destination: Int32
    private let scratchRead: Int32
    private let scratchWrite: Int32
    private let devNull: Int32
    /// The scratch pipe's size in bytes.
    let capacity: Int
    /// The decisions since the last `carryOut`, starting at the scratch pipe's first byte.
    var plan = SplicePlan()
    /// Whether the scratch pipe holds the bytes the last read returned (else they are
    /// forwarded by copying).
    private(set) var isActive = true
    /// tee or splice refused these descriptors: copying for the rest of the stream.
    private(set) var isDisabled = false
    /// Bytes moved to the destination by `splice`.
    private(set) var splicedBytes = 0
    /// Bytes in the scratch pipe.
    private var buffered = 0

    /// nil when splicing cannot work here: not Linux, a source that is not a pipe, a
    /// destination that is not a pipe, socket or file, or no scratch pipe.
    init?(source: Int32, destination: Int32) {
        #if os(Linux)
        guard LinuxSplice.tee != nil, LinuxSplice.splice != nil,
              Self.fileType(source) == S_IFIFO,
              [S_IFIFO, S_IFSOCK, S_IFREG].contains(Self.fileType(destination)) else { return nil }
        var pair: [Int32] = [0, 0]
        guard pipe(&pair) == 0 else { return nil }
        for fd in pair { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        FileDescriptorIO.setNonBlocking(pair[1])
        // Room for a whole read (the line buffer's 1 MiB) plus the partial line before it;
        // 1 MiB (the usual pipe-max-size) when more is refused.
        if fcntl(pair[0], LinuxSplice.setPipeSize, Int32(2 << 20)) < 0 { _ = fcntl(pair[0], LinuxSplice.setPipeSize, Int32(1 << 20)) }
        let size = Int(fcntl(pair[0], LinuxSplice.getPipeSize))
        guard size >= 4 * Self.minimumRoom else {
            Glibc.close(pair[0])
            Glibc.close(pair[1])
            return nil
        }
        self.source = source
        self.destination = destination
        scratchRead = pair[0]
        scratchWrite = pair[1]
        capacity = size
        devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        #else
        return nil
        #endif
    }

    func release() {
        _ = Glibc.close(scratchRead)
        _ = Glibc.close(scratchWrite)
        if devNull >= 0 { _ = Glibc.close(devNull) }
    }

    private static func fileType(_ fd: Int32) -> mode_t {
        var info = stat()
        return fstat(fd, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    /// Reads up to `count` bytes of the source into `buffer`; while active, they are
    /// first tee'd into the scratch pipe. Falls back to a plain read (and copying) when
    /// the scratch pipe has no room or tee refuses.
    mutating func read(into buffer: UnsafeMutableRawPointer, count: Int, stop: StopFlag) -> FileDescriptorIO.ReadResult {
        guard isActive, let tee = LinuxSplice.tee, capacity - buffered >= Self.minimumRoom else {
            deactivate()
            return FileDescriptorIO.read(source, into: buffer, count: count, stop: stop)
        }
        while true {
            if stop.isStopped { return .stopped }
            var p = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, FileDescriptorIO.pollMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if ready == 0 { continue }
            let n = tee(source, scratchWrite, min(count, capacity - buffered), LinuxSplice.nonBlocking)
            if n > 0 {
                buffered += n
                return readExactly(n, into: buffer)
            }
            if n < 0 && errno == EINTR { continue }
            // 0: end of input, confirmed by the read below. EAGAIN: the scratch pipe's slots
            // are full (a partial line in many small writes). Else tee refuses the source.
            if n < 0 && errno != EAGAIN { isDisabled = true }
            deactivate()
            return FileDescriptorIO.read(source, into: buffer, count: count, stop: stop)
        }
    }

    /// Reads the `count` bytes just tee'd: they are in the pipe, only this relay reads it.
    private func readExactly(_ count: Int, into buffer: UnsafeMutableRawPointer) -> FileDescriptorIO.ReadResult {
        var got = 0
        while got < count {
            let n = Glibc.read(source, buffer + got, count - got)
            if n > 0 { got += n; continue }
            if n == 0 { return .failed(EIO) }
            if errno == EINTR { continue }
            if errno == EAGAIN {
                var p = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, FileDescriptorIO.pollMilliseconds)
                continue
            }
            return .failed(errno)
        }
        return .bytes(count)
    }

    /// Carries out the plan: forwarded bytes are spliced to the destination (or written
    /// from `buffered`, the line buffer, if splice refuses it), dropped bytes leave the
    /// scratch pipe, inserted bytes are written, all in stream order.
    mutating func carryOut(stop: StopFlag, lineBuffer: (Range<Int>) -> UnsafeRawBufferPointer?) -> FileDescriptorIO.WriteResult {
        var offset = plan.start
        for index in plan.steps.indices {
            switch plan.steps[index] {
            case .forward(let count):
                var moved = 0
                if !isDisabled {
                    switch spliceOut(count, stop: stop) {
                    case .moved: moved = count
                    case .stopped: return .stopped
                    case .failed(let code): return .failed(code)
                    case .refused(let done): moved = done; isDisabled = true
                    }
                    splicedBytes += moved
                }
                if moved < count {
                    // splice refused the destination: the same bytes from the line buffer.
                    drop(count - moved)
                    guard let bytes = lineBuffer(offset + moved..<offset + count) else { return .failed(EIO) }
                    let written = FileDescriptorIO.writeAll(destination, bytes, stop: stop)
                    guard case .written = written else { return written }
                }
                offset += count
            case .discard(let count):
                drop(count)
                offset += count
            case .insert(let range):
                let written = plan.inserted.withUnsafeBytes { FileDescriptorIO.writeAll(destination, UnsafeRawBufferPointer(rebasing: $0[range]), stop: stop) }
                guard case .written = written else { return written }
            }
        }
        buffered -= plan.decided - plan.start
        plan.removeAll()
        if isDisabled { deactivate() }
        return .written
    }

    /// Resumes splicing after a fallback: `pending` (the partial line at stream offset
    /// `offset`, short again) is written into the empty scratch pipe ahead of what
    /// the next read tees.
    mutating func resume(pending: UnsafeBufferPointer<UInt8>, at offset: Int) {
        guard !isActive, !isDisabled, pending.count <= Self.resumeLimit else { return }
        var written = 0
        while written < pending.count, let base = pending.baseAddress {
            let n = Glibc.write(scratchWrite, base + written, pending.count - written)
            if n > 0 { written += n; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        buffered = written
        guard written == pending.count else { deactivate(); return }
        plan.restart(at: offset)
        isActive = true
    }

    /// Switches to copying: the scratch pipe's bytes are dropped (the line buffer has them).
    private mutating func deactivate() {
        drop(buffered)
        buffered = 0
        isActive = false
    }

    enum Moved { case moved, stopped, failed(Int32), refused(moved: Int) }

    /// Moves the scratch pipe's next `count` bytes to the destination, waiting while it is full.
    private func spliceOut(_ count: Int, stop: StopFlag) -> Moved {
        guard let splice = LinuxSplice.splice else { return .refused(moved: 0) }
        var moved = 0
        while moved < count {
            let n = splice(scratchRead, nil, destination, nil, count - moved, LinuxSplice.nonBlocking | LinuxSplice.move)
            if n > 0 { moved += n; continue }
            // The scratch pipe holds the bytes and is never closed for writing: 0 cannot happen.
            if n == 0 { return .failed(EIO) }
            switch errno {
            case EINTR: continue
            case EAGAIN: if !FileDescriptorIO.waitWritable(destination, stop: stop) { return .stopped }
            case EINVAL: return .refused(moved: moved)
            default: return .failed(errno)
            }
        }
        return .moved
    }

    /// Drops the scratch pipe's next `count` bytes (spliced into /dev/null, or read).
    private func drop(_ count: Int) {
        var left = count
        while left > 0 {
            var n = -1
            if devNull >= 0, let splice = LinuxSplice.splice { n = splice(scratchRead, nil, devNull, nil, left, 0) }
            if n <= 0 {
                n = withUnsafeTemporaryAllocation(byteCount: min(left, 1 << 16), alignment: 16) { Glibc.read(scratchRead, $0.baseAddress, $0.count) }
            }
            if n > 0 { left -= n; continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }
}

/// glibc's tee(2) and splice(2), found at run time: Swift's Glibc module is built
/// without `_GNU_SOURCE`, which declares them.
enum LinuxSplice {
    typealias Tee = @convention(c) (Int32, Int32, Int, UInt32) -> Int
    typealias Splice = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
    static let tee: Tee? = dlsym(nil, "tee").map { unsafeBitCast($0, to: Tee.self) }
    static let splice: Splice? = dlsym(nil, "splice").map { unsafeBitCast($0, to: Splice.self) }
    static let move: UInt32 = 1
    static let nonBlocking: UInt32 = 2
    static let setPipeSize: Int32 = 1031
    static let getPipeSize: Int32 = 1032
}
