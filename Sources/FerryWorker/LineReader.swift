/// Splits a file descriptor's bytes into lines in a bounded buffer: lines are handed
/// out as views into the buffer (no copy), and a line longer than the cap is skipped
/// to its newline and reported instead of growing memory without bound.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct LineReader {
    let fd: Int32
    let maxLineBytes: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Bytes before this index hold no newline (`start <= scanned <= end`).
    private var scanned = 0
    private var discarding = false
    private var discardedBytes = 0
    /// Bytes read from the descriptor so far: the stream offset just past the buffer's
    /// last byte (the splice path names the bytes it forwards by stream offset).
    private(set) var bytesRead = 0

    /// `terminated`: a newline follows the line in the buffer (false only for a last
    /// line at end of file), so the line and its newline can be written from the buffer.
    enum Event { case line(UnsafeBufferPointer<UInt8>, terminated: Bool), oversized(bytes: Int) }
    enum Outcome { case endOfFile, stopped, failed(Int32), handlerStopped }

    init(fd: Int32, initialBytes: Int = 1 << 20, maxLineBytes: Int) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        buffer = .allocate(byteCount: min(initialBytes, maxLineBytes + 1), alignment: 16)
    }

    func deallocate() { buffer.deallocate() }

    /// Reads until end of file, calling `handle` per event and `chunkDone` after each
    /// read's lines; `handle` returns false to stop.
    mutating func run(stop: StopFlag, handle: (Event) -> Bool, chunkDone: () -> Bool) -> Outcome {
        while true {
            switch fill(stop: stop) {
            case .stopped: return .stopped
            case .failed(let code): return .failed(code)
            case .endOfFile:
                if let event = finish() { _ = handle(event) }
                _ = chunkDone()
                return .endOfFile
            case .bytes:
                while let event = next() { if !handle(event) { return .handlerStopped } }
                if !chunkDone() { return .handlerStopped }
            }
        }
    }

    enum Fill { case bytes, endOfFile, stopped, failed(Int32) }

    /// Reads more bytes into the buffer. Views handed out before are invalid after it.
    mutating func fill(stop: StopFlag) -> Fill {
        let fd = self.fd
        return fill { FileDescriptorIO.read(fd, into: $0, count: $1, stop: stop) }
    }

    /// `fill` with another way of reading (the splice path tees the pipe first).
    mutating func fill(read: (UnsafeMutableRawPointer, Int) -> FileDescriptorIO.ReadResult) -> Fill {
        if end == buffer.count { makeRoom() }
        switch read(buffer.baseAddress! + end, buffer.count - end) {
        case .stopped: return .stopped
        case .failed(let code): return .failed(code)
        case .endOfFile: return .endOfFile
        case .bytes(let n):
            end += n
            bytesRead += n
            return .bytes
        }
    }

    /// The stream offset of the first byte not handed out yet: every byte before it
    /// has been handed out as a line or skipped.
    var handedOutOffset: Int { bytesRead - end + start }

    /// The stream offset of a byte of a view handed out since the last `fill`.
    func streamOffset(of byte: UnsafePointer<UInt8>) -> Int {
        bytesRead - end + (UnsafeRawPointer(byte) - UnsafeRawPointer(buffer.baseAddress!))
    }

    /// The buffered bytes at stream offsets `range`, if the buffer still holds them.
    func bytes(at range: Range<Int>) -> UnsafeRawBufferPointer? {
        let first = bytesRead - end
        guard range.lowerBound >= first, range.upperBound <= bytesRead else { return nil }
        return UnsafeRawBufferPointer(start: buffer.baseAddress! + (range.lowerBound - first), count: range.count)
    }

    /// The next complete line (or skipped oversized line) in the buffer; nil when the
    /// buffer holds no more newlines (then `fill`).
    mutating func next() -> Event? {
        while scanned < end {
            let base = buffer.baseAddress! + scanned
            guard let hit = memchr(base, 0x0A, end - scanned) else { scanned = end; break }
            let newline = scanned + (UnsafeMutableRawPointer(hit) - UnsafeMutableRawPointer(base))
            let event: Event
            if discarding {
                discarding = false
                event = .oversized(bytes: discardedBytes + newline - start)
                discardedBytes = 0
            } else {
                event = .line(view(start, newline), terminated: true)
            }
            start = newline + 1
            scanned = start
            return event
        }
        if discarding { discardedBytes += end - start; start = end; scanned = end }
        return nil
    }

    /// At end of file: the last line without a newline, or the tail of an oversized one.
    mutating func finish() -> Event? {
        defer { start = end; scanned = end; discarding = false }
        if discarding { return .oversized(bytes: discardedBytes + end - start) }
        return end > start ? .line(view(start, end), terminated: false) : nil
    }

    /// The bytes read but not yet handed out as lines; valid until the next `fill`.
    func pending() -> UnsafeBufferPointer<UInt8> { view(start, end) }

    private func view(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + from, count: to - from)
    }

    /// The buffer is full: move the partial line to the front, grow up to the cap, or
    /// start discarding an oversized line.
    private mutating func makeRoom() {
        if start == end { start = 0; end = 0; scanned = 0; return }
        if start > 0 {
            let count = end - start
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            scanned -= start
            start = 0
            end = count
            if end < buffer.count { return }
        }
        if buffer.count <= maxLineBytes {
            let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(buffer.count * 2, maxLineBytes + 1), alignment: 16)
            grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = grown
            if end < buffer.count { return }
        }
        discarding = true
        discardedBytes += end
        start = 0
        end = 0
        scanned = 0
    }
}
