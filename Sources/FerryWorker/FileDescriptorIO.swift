/// Blocking reads and writes on pipe file descriptors that wake up to check a stop
/// flag, so no thread of the relay can hang on a connector that stopped moving.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Foundation

/// A flag threads poll between short waits.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func stop() { value.store(true, ordering: .releasing) }
    var isStopped: Bool { value.load(ordering: .acquiring) }
}

enum FileDescriptorIO {
    /// How long a thread waits on a descriptor before checking its stop flag again.
    static let pollMilliseconds: Int32 = 50

    enum ReadResult { case bytes(Int), endOfFile, stopped, failed(Int32) }

    /// Reads up to `count` bytes once data is available; `.stopped` when `stop` is set first.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, stop: StopFlag) -> ReadResult {
        while true {
            if stop.isStopped { return .stopped }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, pollMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if ready == 0 { continue }
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfFile }
            if errno == EINTR || errno == EAGAIN { continue }
            return .failed(errno)
        }
    }

    enum WriteResult { case written, stopped, failed(Int32) }

    /// Writes all bytes (the descriptor must be non-blocking), waiting while the pipe is full.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, stop: StopFlag) -> WriteResult {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return .written }
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            if n >= 0 { offset += n; continue }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return .failed(errno) }
            // Pipe full: the destination is slower than the source; wait (backpressure).
            if !waitWritable(fd, stop: stop) { return .stopped }
        }
        return .written
    }

    /// Waits until `fd` takes more bytes (or reports an error); false when `stop` is set first.
    static func waitWritable(_ fd: Int32, stop: StopFlag) -> Bool {
        while true {
            if stop.isStopped { return false }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, pollMilliseconds)
            if ready > 0 || (ready < 0 && errno != EINTR) { return true }
        }
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// Runs blocking work on its own thread and awaits its result, so blocking reads never
/// occupy the cooperative thread pool.
func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}
