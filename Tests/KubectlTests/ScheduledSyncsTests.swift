/// A Connection with `every: 1m` on `ferry dev` with the operator's clock at 20× (one
/// scheduled minute every three real seconds): Syncs are created on the one-minute grid,
/// and only the Connection's history limit of finished Syncs is kept.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(4))) struct ScheduledSyncsTests {
    @Test func everyMinuteCreatesSyncsOnTimeAndKeepsTheHistoryLimit() async throws {
        try await DevSession.with(["--clock-speed", "20"]) { session in
            let kubectl = session.kubectl, dir = session.directory.path
            let manifests = try kubectl.write("every.yaml", Fixtures.sampleToFiles(count: 5, output: dir + "/out") + """

                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Connection
                metadata: {name: minutely}
                spec:
                  sourceRef: {name: sample}
                  destinationRef: {name: files}
                  schedule: {every: 1m}
                  history: {successful: 2, failed: 1}
                  # The clock runs 20× here: 15 minutes to start a pod would be 45 real seconds.
                  timeouts: {podStart: 24h}
                  streams:
                  - {name: users, syncMode: full_refresh, destinationSyncMode: overwrite}
                """)
            let applied = try await kubectl.run("apply", "-f", manifests)
            #expect(applied.succeeded, "\(applied.stderr)")

            // Every Sync seen, by name, with its scheduled time; polled, so a Sync created
            // and deleted between two polls is missed, which only makes the count lower.
            var seen: [String: Date] = [:]
            var seenSucceeded = Set<String>()
            var connection: JSONValue = .null
            do {
                try await waitUntil(timeout: .seconds(150)) {
                    // A poll interval, not a synchronization: each poll starts kubectl.
                    try await Task.sleep(for: .milliseconds(500))
                    let list = try await kubectl.run("get", "fsync", "-o", "json")
                    guard list.succeeded, let items = try JSONValue.parse(list.stdout)["items"].arrayValue else { return false }
                    for sync in items {
                        if let name = sync.name, let at = sync["spec"]["scheduledTime"].stringValue.flatMap(KubeTime.parse) { seen[name] = at }
                    }
                    seenSucceeded.formUnion(items.filter { $0["status"]["phase"] == "Succeeded" }.compactMap(\.name))
                    return seen.count >= 5 && seenSucceeded.count >= 3
                }
            } catch {
                connection = try JSONValue.parse(try await kubectl.run("get", "fconn", "minutely", "-o", "json").stdout)
                Issue.record("saw \(seen.count) Syncs; connection: \(connection["status"].serialized())\n\(session.dev.log.suffix(4000))")
                throw error
            }
            // A whole number of minutes apart: one, or more when a run was still going and
            // Forbid skipped a time. `every` counts from the last Sync's creation, as Airbyte's
            // basic schedule does, so times stored to the second drift by a second at most.
            let times = seen.values.sorted()
            for (earlier, later) in zip(times, times.dropFirst()) {
                let gap = later.timeIntervalSince(earlier)
                let offMinute = min(gap.truncatingRemainder(dividingBy: 60), 60 - gap.truncatingRemainder(dividingBy: 60))
                #expect(gap >= 59 && offMinute <= 2, "scheduled \(KubeTime.format(earlier)) then \(KubeTime.format(later))")
            }
            // Names are `<connection>-<unix minutes>` of the scheduled time: a restart cannot double-fire.
            for (name, at) in seen { #expect(name == "minutely-\(Int(at.timeIntervalSince1970) / 60)", "\(name)") }
            // Finished Syncs beyond the history limit (2 successful) are deleted: some seen
            // Succeeded are gone, and no more than two remain (once the Connection caught up).
            var remaining: [String] = []
            do {
                try await waitUntil(timeout: .seconds(30)) {
                    try await Task.sleep(for: .milliseconds(500))
                    let items = try JSONValue.parse(try await kubectl.run("get", "fsync", "-o", "json").stdout)["items"].arrayValue ?? []
                    remaining = items.filter { $0["status"]["phase"] == "Succeeded" }.compactMap(\.name)
                    return remaining.count <= 2 && !seenSucceeded.subtracting(items.compactMap(\.name)).isEmpty
                }
            } catch {
                Issue.record("succeeded Syncs left: \(remaining.sorted()); seen succeeded: \(seenSucceeded.sorted())")
            }
            connection = try JSONValue.parse(try await kubectl.run("get", "fconn", "minutely", "-o", "json").stdout)
            #expect(connection["status"]["lastScheduleTime"].stringValue != nil && connection["status"]["lastSuccessfulSyncTime"].stringValue != nil,
                    "\(connection["status"].serialized())")
        }
    }
}
