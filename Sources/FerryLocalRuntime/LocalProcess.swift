/// One container as a local process: spawned in its own process group with stdout and
/// stderr appended to the container's log file. When the main process exits, the rest of
/// its group is killed before it is reaped, as a container's PID namespace ends with it.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

final class LocalProcess: Sendable {
    let pid: pid_t

    private init(pid: pid_t) { self.pid = pid }

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// glibc ≥ 2.29 has it, but its header is not visible to Swift; found at run time.
    private typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc ≥ 2.34; without it descriptors without FD_CLOEXEC are inherited.
    private static let addClosefrom: AddClosefrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddClosefrom.self) }
    private static let addChdir: AddChdir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }

    /// Starts `executable` with `argv` (argv[0] as given) in `workingDirectory`.
    static func spawn(executable: String, argv: [String], environment: [String: String], workingDirectory: String, logPath: String) throws(ContainerLaunchProblem) -> LocalProcess {
        let logFD = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard logFD >= 0 else {
            throw ContainerLaunchProblem(reason: "StartError", message: "opening the log file: \(String(cString: strerror(errno)))")
        }
        defer { close(logFD) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logFD, 1)
        posix_spawn_file_actions_adddup2(&actions, logFD, 2)
        // Nothing else of the agent (sockets, other pods' pipes) leaks into the container.
        if let addClosefrom = Self.addClosefrom { _ = addClosefrom(&actions, 3) }
        guard let addChdir = Self.addChdir, addChdir(&actions, workingDirectory) == 0 else {
            throw ContainerLaunchProblem(reason: "StartError", message: "this C library cannot set a spawned process's working directory")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigfillset(&defaults)
        sigdelset(&defaults, SIGKILL)
        sigdelset(&defaults, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        let cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgv + cEnv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, cArgv, cEnv)
        guard rc == 0 else {
            throw ContainerLaunchProblem(reason: "StartError", message: "exec \"\(argv.first ?? executable)\": \(String(cString: strerror(rc)))")
        }
        return LocalProcess(pid: child)
    }

    /// Sends `signal` to the whole process group.
    func signalGroup(_ signal: Int32) {
        kill(-pid, signal)
    }

    /// Waits for the main process to exit; returns its exit code, or 128 + signal. Kills the
    /// rest of the group while the unreaped leader still pins the group id.
    func waitForExit() async -> Int32 {
        let pid = self.pid
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let thread = Thread {
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                kill(-pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
            thread.name = "ferry-wait-\(pid)"
            thread.start()
        }
    }

    /// Whether `pid` is a live process (a zombie counts as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
