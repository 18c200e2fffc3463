/// The simulated lifecycle: no processes. Init containers succeed at once; every container
/// then runs for the scripted time on the injected clock and exits with the scripted code
/// and message. Annotations `ferry.dev/simulate-*` apply to all containers;
/// `ferry.dev/simulate-*.<container>` overrides one. Default: exit 0 immediately, using
/// no CPU or memory (`simulate-cpu` / `simulate-memory` script what metrics.k8s.io reports).
import Foundation
import KubeCore

extension PodRunner {
    func runSimulated() async {
        let clock = context.configuration.clock
        let now = clock.wallTime
        for i in initRecords.indices {
            initRecords[i].containerID = "simulated://\(uid)-\(initRecords[i].name)"
            initRecords[i].state = .terminated(exitCode: 0, reason: "Completed", message: nil, startedAt: now, finishedAt: now)
        }
        let scripts = records.map { script(for: $0.name) }
        for i in records.indices {
            records[i].containerID = "simulated://\(uid)-\(records[i].name)"
            records[i].state = .running(startedAt: now)
        }
        let longest = scripts.map(\.duration).max() ?? .zero
        if longest > .zero { report() }
        let began = clock.now
        // Containers finish in order of their durations; each exit is reported.
        for index in records.indices.sorted(by: { scripts[$0].duration < scripts[$1].duration }) {
            let script = scripts[index]
            if script.duration > .zero {
                do { try await clock.sleep(until: began + script.duration) } catch { return simulateKill() }
            }
            guard !stopping else { return simulateKill() }
            records[index].state = .terminated(
                exitCode: script.exitCode, reason: ContainerRuntimeState.terminationReason(exitCode: script.exitCode),
                message: script.message, startedAt: now, finishedAt: clock.wallTime)
            if script.duration > .zero { report() }
        }
        report()
    }

    /// SIGTERM in simulation: every running container exits 143 at once.
    private func simulateKill() {
        let now = context.configuration.clock.wallTime
        for i in records.indices {
            if case .running(let startedAt) = records[i].state {
                records[i].state = .terminated(exitCode: 143, reason: "Error", message: nil, startedAt: startedAt, finishedAt: now)
            }
        }
    }

    struct SimulationScript {
        var exitCode: Int32
        var duration: Duration
        var message: String?
        var cpuNanocores: Int64 = 0
        var memoryBytes: Int64 = 0
    }

    /// What the running containers report to metrics.k8s.io: their scripted usage (zero
    /// when unscripted: a simulated container uses nothing). nil when none is running.
    func simulatedUsage(window: Duration) -> PodUsageSample? {
        let containers = records.filter(\.state.isRunning).map { r in
            let s = script(for: r.name)
            return PodUsageSample.Container(name: r.name, cpuNanocores: s.cpuNanocores, memoryBytes: s.memoryBytes)
        }
        guard !containers.isEmpty else { return nil }
        return PodUsageSample(containers: containers, timestamp: context.configuration.clock.wallTime, window: window)
    }

    func script(for container: String) -> SimulationScript {
        let annotations = pod[path: ["metadata", "annotations"]]
        func value(_ key: String) -> String? {
            annotations["\(key).\(container)"].stringValue ?? annotations[key].stringValue
        }
        let code = value(SimulationAnnotations.exitCode).flatMap { Int32($0) } ?? 0
        let seconds = value(SimulationAnnotations.durationSeconds).flatMap { Double($0) } ?? 0
        let cpu = value(SimulationAnnotations.cpu).flatMap { ResourceQuantity($0)?.doubleValue } ?? 0
        let memory = value(SimulationAnnotations.memory).flatMap { ResourceQuantity($0)?.doubleValue } ?? 0
        return SimulationScript(exitCode: code, duration: .milliseconds(Int64(max(seconds, 0) * 1000)),
                                message: value(SimulationAnnotations.terminationMessage),
                                cpuNanocores: Int64((max(cpu, 0) * 1e9).rounded()), memoryBytes: Int64(max(memory, 0).rounded()))
    }
}
