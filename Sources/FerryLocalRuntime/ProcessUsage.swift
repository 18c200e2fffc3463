/// CPU time and resident memory of a container's processes, read from `/proc`. A
/// container here is a process group led by the spawned process (see `LocalProcess`);
/// its tree is that group plus every descendant, which catches children that moved to
/// a group of their own.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One line of `/proc/PID/stat`, the fields usage needs.
struct ProcessStat: Sendable, Hashable {
    var pid: Int32
    var parent: Int32
    var group: Int32
    /// utime + stime + cutime + cstime in clock ticks. Counting reaped children keeps the
    /// sum from dropping when a short-lived child exits, so it behaves like the cgroup's
    /// cumulative `cpuacct.usage` that cAdvisor differentiates.
    var cpuTicks: Int64
    var residentPages: Int64
}

extension ProcessStat {
    /// Parses a `/proc/PID/stat` line; nil for malformed lines and zombies (whose time
    /// reaches the parent's cutime/cstime once reaped).
    init?(parsing line: String) {
        guard let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")"),
              let pid = Int32(line[..<open].trimmingCharacters(in: .whitespaces)) else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) pgrp(2) ... utime(11) stime(12) cutime(13) cstime(14) ... rss(21).
        guard fields.count > 21, fields[0] != "Z", fields[0] != "X",
              let parent = Int32(fields[1]), let group = Int32(fields[2]), let rss = Int64(fields[21]) else { return nil }
        var ticks: Int64 = 0
        for i in 11...14 {
            guard let t = Int64(fields[i]) else { return nil }
            ticks += t
        }
        self.pid = pid
        self.parent = parent
        self.group = group
        self.cpuTicks = ticks
        self.residentPages = rss
    }
}

/// Cumulative usage of one container at one instant.
struct ContainerUsagePoint: Sendable, Hashable {
    /// The container's main process: a new one means a new container, never a delta.
    var pid: Int32
    var cpuNanoseconds: Int64
    /// Resident set size. metrics-server reports the cgroup's working set (usage minus
    /// inactive file pages); without a cgroup per container, RSS is the honest
    /// equivalent: the process memory that is actually in RAM.
    var memoryBytes: Int64
}

enum ProcessTable {
    static let ticksPerSecond = Int64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
    static let pageSize = Int64(max(sysconf(Int32(_SC_PAGESIZE)), 1))

    /// Every live process's stat line, read once per sample.
    static func read() -> [ProcessStat] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard entry.first?.isNumber == true,
                  let line = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { return nil }
            return ProcessStat(parsing: line)
        }
    }

    /// The summed usage of the tree rooted at `root`: its process group and descendants.
    /// nil when the root itself is gone.
    static func usage(root: Int32, in table: [ProcessStat]) -> ContainerUsagePoint? {
        guard table.contains(where: { $0.pid == root }) else { return nil }
        var children: [Int32: [Int32]] = [:]
        for p in table { children[p.parent, default: []].append(p.pid) }
        var members: Set<Int32> = []
        var pending = [root] + table.filter { $0.group == root }.map(\.pid)
        while let pid = pending.popLast() {
            guard members.insert(pid).inserted else { continue }
            pending += children[pid] ?? []
        }
        var ticks: Int64 = 0
        var pages: Int64 = 0
        for p in table where members.contains(p.pid) {
            ticks += p.cpuTicks
            pages += p.residentPages
        }
        return ContainerUsagePoint(pid: root, cpuNanoseconds: ticks * (1_000_000_000 / ticksPerSecond), memoryBytes: pages * pageSize)
    }
}
