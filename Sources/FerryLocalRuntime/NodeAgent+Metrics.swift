/// Resource usage of the pods on this node, for metrics.k8s.io (`kubectl top pod`, the
/// WorkerPool Resource metric). Local pods are sampled on a timer, like the kubelet's
/// cAdvisor housekeeping: a window needs two readings anyway, and a timer gives every
/// reader the same honest window instead of one shaped by how often someone asks. With
/// no running processes a round reads nothing from /proc. Simulated pods report the
/// fixed usage their annotations script.
import Foundation
import KubeCore

extension NodeAgent {
    /// The pod's usage over the last completed window, nil when it has none (not on this
    /// node, nothing running, or not yet read twice). Matches the embedded server's
    /// `PodMetricsProvider`.
    public func podUsage(namespace: String, name: String) async -> PodUsageSample? {
        let key = "\(namespace)/\(name)"
        guard let runner = state.withLock({ s in s.byName[key].flatMap { s.runners[$0] } }) else { return nil }
        switch configuration.mode {
        case .local: return usage.withLock { $0.latest[key] }
        case .simulated: return await runner.simulatedUsage(window: configuration.metricsInterval)
        }
    }

    /// Reads every local pod's processes each `metricsInterval` until cancelled. The
    /// interval is real time, not the agent's clock: CPU time is real time.
    func sampleUsage() async {
        while !Task.isCancelled {
            await recordUsage()
            do { try await Task.sleep(for: configuration.metricsInterval) } catch { return }
        }
    }

    func recordUsage() async {
        var running: [(key: String, processes: [(name: String, pid: Int32)])] = []
        for runner in state.withLock({ Array($0.runners.values) }) {
            let processes = await runner.containerProcesses
            if !processes.isEmpty { running.append(("\(runner.namespace)/\(runner.name)", processes)) }
        }
        guard !running.isEmpty else {
            usage.withLock { $0.record([:]) }
            return
        }
        let table = ProcessTable.read()
        let at = ContinuousClock.now
        let wallTime = configuration.clock.wallTime
        var readings: [String: PodUsageTracker.Reading] = [:]
        for (key, processes) in running {
            let points = processes.compactMap { c in ProcessTable.usage(root: c.pid, in: table).map { (name: c.name, point: $0) } }
            readings[key] = PodUsageTracker.Reading(at: at, wallTime: wallTime, containers: points)
        }
        usage.withLock { $0.record(readings) }
    }
}

extension PodRunner {
    /// The running containers' main processes, init containers first, in spec order.
    var containerProcesses: [(name: String, pid: Int32)] {
        (initRecords + records).compactMap { r in processes[r.name].map { (name: r.name, pid: $0.pid) } }
    }
}
