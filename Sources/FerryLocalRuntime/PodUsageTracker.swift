/// Turns cumulative CPU time sampled at two instants into the average usage over the
/// window between them, as cAdvisor and metrics-server do; memory is the later reading.
import Foundation
import KubeCore

struct PodUsageTracker: Sendable {
    /// One pod's containers read at one instant.
    struct Reading: Sendable {
        /// Real (monotonic) time: CPU seconds are real seconds, whatever the agent's clock.
        var at: ContinuousClock.Instant
        /// The timestamp reported, on the agent's clock like the pod's own times.
        var wallTime: Date
        var containers: [(name: String, point: ContainerUsagePoint)]
    }

    private var previous: [String: Reading] = [:]
    /// Usage of the last completed window, by `namespace/name`.
    private(set) var latest: [String: PodUsageSample] = [:]

    /// Records one round of readings. A pod needs a reading in two consecutive rounds to
    /// have usage; one missing from this round loses it (it stopped running). A container
    /// whose process changed, or whose CPU time went backwards, is left out of the window.
    mutating func record(_ readings: [String: Reading]) {
        var next: [String: PodUsageSample] = [:]
        for (key, now) in readings {
            guard let before = previous[key] else { continue }
            let elapsed = now.at - before.at
            // Milliseconds are plenty for a window of seconds and keep `window` readable.
            let window = Duration.milliseconds(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            guard window > .zero else { continue }
            let windowSeconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
            var containers: [PodUsageSample.Container] = []
            for (name, point) in now.containers {
                guard let old = before.containers.first(where: { $0.name == name })?.point, old.pid == point.pid,
                      point.cpuNanoseconds >= old.cpuNanoseconds else { continue }
                let cores = Double(point.cpuNanoseconds - old.cpuNanoseconds) / 1e9 / windowSeconds
                containers.append(PodUsageSample.Container(name: name, cpuNanocores: Int64((cores * 1e9).rounded()),
                                                           memoryBytes: point.memoryBytes))
            }
            if !containers.isEmpty { next[key] = PodUsageSample(containers: containers, timestamp: now.wallTime, window: window) }
        }
        previous = readings
        latest = next
    }
}
