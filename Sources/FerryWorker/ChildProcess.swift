/// A connector run as a child process (`/bin/sh -c COMMAND`) with its stdin, stdout and
/// stderr on pipes, in its own process group so stopping it stops its children too.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

final class ChildProcess: Sendable {
    let pid: pid_t
    let command: String
    /// Parent ends: write to the child's stdin, read its stdout and stderr.
    let stdinFD: Int32
    let stdoutFD: Int32
    let stderrFD: Int32
    private let terminated = Atomic<Bool>(false)

    /// Whether the relay stopped this process (so its exit status is not its failure).
    var wasTerminatedByRelay: Bool { terminated.load(ordering: .acquiring) }

    /// Serializes pipe creation and spawning: between `pipe()` and `FD_CLOEXEC` another
    /// thread's child could inherit the descriptors and hold a pipe open (no EOF).
    private static let spawnLock = Mutex(())

    convenience init(command: String, environment: [String: String]? = nil) throws(ChildProcessError) {
        let spawned = try Self.spawnLock.withLock { _ throws(ChildProcessError) in try Self.spawn(command: command, environment: environment) }
        self.init(pid: spawned.pid, command: command, fds: spawned.fds)
    }

    private init(pid: pid_t, command: String, fds: [Int32]) {
        self.pid = pid
        self.command = command
        stdinFD = fds[0]
        stdoutFD = fds[1]
        stderrFD = fds[2]
        FileDescriptorIO.setNonBlocking(stdinFD)
    }

    /// Returns the pid and the parent's ends: [stdin write, stdout read, stderr read].
    private static func spawn(command: String, environment: [String: String]?) throws(ChildProcessError) -> (pid: pid_t, fds: [Int32]) {
        var fds: [Int32] = []
        for _ in 0..<3 {
            var pair: [Int32] = [0, 0]
            // Close-on-exec so one connector never holds another's pipe open (no EOF).
            // pipe2 is not exported to Swift; spawnLock covers the gap for our own spawns.
            guard pipe(&pair) == 0, fcntl(pair[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(pair[1], F_SETFD, FD_CLOEXEC) == 0 else {
                for fd in fds { close(fd) }
                throw ChildProcessError(description: "creating a pipe for \(command): \(FileDescriptorIO.describe(errno))")
            }
            #if os(Linux)
            // 1 MiB pipes (F_SETPIPE_SZ; the default is 64 KiB): four times fewer reads,
            // writes and wake-ups per megabyte between the relay and its connectors.
            // Best effort: the system's pipe-max-size may refuse it.
            _ = fcntl(pair[0], 1031, Int32(1 << 20))
            #endif
            fds += pair
        }
        // fds: [stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fds[3], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[5], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = [String](["/bin/sh", "-c", command]).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, envp)
        close(fds[0]); close(fds[3]); close(fds[5])
        guard rc == 0 else {
            close(fds[1]); close(fds[2]); close(fds[4])
            throw ChildProcessError(description: "starting \(command): \(FileDescriptorIO.describe(rc))")
        }
        return (child, [fds[1], fds[2], fds[4]])
    }

    /// Stops the process group: SIGTERM, then SIGKILL after `grace` if still running.
    func terminate(grace: Duration = .seconds(2)) {
        terminated.store(true, ordering: .releasing)
        kill(-pid, SIGTERM)
        let pid = self.pid
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18)
            // The group id outlives the leader while any member runs; ESRCH when all are gone.
            kill(-pid, SIGKILL)
        }
    }

    /// Waits for exit; returns the exit code, or 128 + signal number when killed.
    func waitForExit() async -> Int32 {
        let pid = self.pid
        return await onThread("wait-\(pid)") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }
}

/// Collects a stream (a connector's stderr), passing it through to our stderr and
/// keeping the tail for failure messages.
func collectTail(of fd: Int32, label: String, limit: Int = 4096, passThrough: Bool) async -> String {
    await onThread("stderr-\(label)") {
        var tail: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if passThrough { buffer.withUnsafeBytes { _ = Glibc.write(2, $0.baseAddress, n) } }
            tail.append(contentsOf: buffer[0..<n])
            if tail.count > limit * 2 { tail.removeFirst(tail.count - limit) }
        }
        close(fd)
        return String(decoding: tail.suffix(limit), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
