/// Issue #8's end-to-end criteria on `ferry dev`: a burst of 200 Syncs on an autoscaled pool
/// (simulated runtime, operator clock at 20×) scales up as the policies allow, never above
/// maxWorkers, and back down only after the stabilization window; `kubectl scale` sets the
/// capacity of a pool without autoscaling and is refused on an autoscaled one.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(6))) struct WorkerPoolAutoscalingTests {
    /// One `SuccessfulRescale` Event: the new capacity and when the autoscaler decided it.
    struct Rescale: CustomStringConvertible {
        var workers: Int
        var at: Date
        var message: String
        var description: String { "\(KubeTime.format(at)) \(message)" }
    }

    /// The columns of a `kubectl get` table's last row after the name.
    func row(_ table: String) -> [Substring] {
        (table.split(separator: "\n").last ?? "").split(separator: " ")
    }

    @Test func aBurstOf200SyncsScalesUpByThePoliciesToMaxAndDownAfterTheWindow() async throws {
        try await DevSession.with(["--runtime", "simulated", "--clock-speed", "20"]) { session in
            let kubectl = session.kubectl
            // Each worker pod runs one simulated minute; the pool may add 4 workers a minute,
            // scales down with the defaults (300 s stabilization, 100% per 15 s).
            let setup = try kubectl.write("burst.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: WorkerPool
                metadata: {name: burst}
                spec:
                  autoscaling:
                    minWorkers: 1
                    maxWorkers: 20
                    metrics: [{type: Queue, target: {averageValue: 1}}]
                    behavior:
                      scaleUp: {policies: [{type: Pods, value: 4, periodSeconds: 60}]}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Source
                metadata: {name: sample}
                spec: {image: ferry:latest, command: [ferry, connector, source-sample]}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Destination
                metadata: {name: files}
                spec: {image: ferry:latest, command: [ferry, connector, destination-jsonl], config: {destination_path: /nonexistent}}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Connection
                metadata: {name: burst}
                spec:
                  sourceRef: {name: sample}
                  destinationRef: {name: files}
                  workerPool: burst
                  concurrencyPolicy: Allow
                  # Keep every finished Sync: the test reads their completion times.
                  history: {successful: 300, failed: 300}
                  timeouts: {podStart: 24h}
                  streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
                  podTemplate:
                    annotations:
                      ferry.dev/simulate-duration-seconds: "60"
                      ferry.dev/simulate-termination-message.orchestrator: '{"succeeded":true,"recordsCommitted":1}'
                """)
            let applied = try await kubectl.run("apply", "-f", setup)
            #expect(applied.succeeded, "\(applied.stderr)")
            try await session.waitFor("fpool", "burst", "start at minWorkers", timeout: .seconds(30)) { $0["status"]["workers"] == 1 }

            let syncs = (0..<200).map { String(format: "burst-%03d", $0) }
            let burst = try kubectl.write("syncs.yaml", syncs.map {
                "apiVersion: ferry.dev/v1alpha1\nkind: Sync\nmetadata: {name: \($0)}\nspec: {connectionRef: {name: burst}}\n"
            }.joined(separator: "---\n"))
            let created = try await kubectl.run("create", "-f", burst)
            #expect(created.succeeded, "\(created.stderr)")

            // The printed table while the pool is at its peak, and the end: every Sync
            // done and the pool back at minWorkers.
            var printed = "", phases: [String: Int] = [:]
            do {
                try await waitUntil(timeout: .seconds(240)) {
                    try await Task.sleep(for: .milliseconds(300))  // a poll interval: each poll starts kubectl
                    let list = try await kubectl.run("get", "fsync", "-o", "jsonpath={.items[*].status.phase}").stdout
                    phases = Dictionary(list.split(whereSeparator: \.isWhitespace).map { (String($0), 1) }, uniquingKeysWith: +)
                    let table = try await kubectl.run("get", "fpool", "burst").stdout
                    if printed.isEmpty, row(table).dropFirst().first == "20" { printed = table }
                    return phases["Succeeded"] == 200 && row(table).dropFirst().first == "1"
                }
            } catch {
                Issue.record("Sync phases: \(phases)\n\(session.dev.log.suffix(4000))")
                throw error
            }
            #expect(printed.contains("CURRENT"), "kubectl get fpool shows the autoscaled count: \(printed)")

            // Every rescale, from the pool's Events: each carries the time of the evaluation
            // that decided it (operator clock), however late it was written.
            var rescales: [Rescale] = []
            do {
                try await waitUntil(timeout: .seconds(30)) {
                    let events = try JSONValue.parse(try await kubectl.run(
                        "get", "events", "--field-selector", "involvedObject.name=burst,reason=SuccessfulRescale", "-o", "json").stdout)
                    rescales = (events["items"].arrayValue ?? []).compactMap { event in
                        guard let message = event["message"].stringValue, let at = event["firstTimestamp"].stringValue.flatMap(KubeTime.parse),
                              let size = message.split(separator: ";").first?.split(separator: " ").last.flatMap({ Int($0) }) else { return nil }
                        return Rescale(workers: size, at: at, message: message)
                    }.sorted { $0.at < $1.at }
                    return rescales.last?.workers == 1
                }
            } catch {
                Issue.record("the last rescale Event is not to 1 worker: \(rescales)")
                throw error
            }
            let sizes = rescales.map(\.workers)
            // Up to exactly 20 and never above; within any minute by at most 4 (the policy
            // counts the scale-ups of the last 60 s: a first evaluation that saw only part of
            // the burst leaves room for a second step inside the same minute).
            let rise = Array(zip([Rescale(workers: 1, at: .distantPast, message: "")] + rescales, rescales).prefix { $0.workers < $1.workers }.map(\.1))
            #expect(rise.last?.workers == 20 && sizes.max() == 20, "\(rescales)")
            for (k, event) in rise.enumerated() {
                // Times have whole seconds: a step exactly 60 s later may read 59 s.
                let first = rise.firstIndex { $0.at.timeIntervalSince(event.at) > -59 } ?? k
                let base = first == 0 ? 1 : rise[first - 1].workers
                #expect(event.workers - base <= 4, "more than 4 workers added within a minute up to \(event): \(rescales)")
            }
            #expect(rise.allSatisfy { $0.message.hasSuffix("reason: Queue above target") }, "\(rise)")

            // Down only after the window: the queue (queued + running) falls below 18 of 20
            // workers (outside the 10% tolerance) when the 183rd Sync finishes; the last
            // recommendation of 20 came at most one 15 s evaluation before, and scaling down
            // waits until 300 s have passed since it.
            let list = try JSONValue.parse(try await kubectl.run("get", "fsync", "-o", "json").stdout)
            let finished = (list["items"].arrayValue ?? []).compactMap { $0["status"]["completionTime"].stringValue.flatMap(KubeTime.parse) }.sorted()
            #expect(finished.count == 200)
            let firstDown = rescales.dropFirst(rise.count).first
            if let firstDown, finished.count == 200 {
                #expect(firstDown.workers < 20 && firstDown.message.hasSuffix("reason: All metrics below target"), "\(firstDown)")
                #expect(firstDown.at.timeIntervalSince(finished[182]) >= 284, "scaled down at \(firstDown.at), 183rd Sync finished at \(finished[182])")
            } else {
                Issue.record("no scale-down: \(rescales)")
            }
        }
    }

    @Test func kubectlScaleSetsTheCapacityOfAFixedPoolAndIsRefusedOnAnAutoscaledOne() async throws {
        try await DevSession.with([]) { session in
            let kubectl = session.kubectl
            let pools = try kubectl.write("pools.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: WorkerPool
                metadata: {name: default}
                spec: {workers: 2}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: WorkerPool
                metadata: {name: auto}
                spec: {autoscaling: {maxWorkers: 5}}
                """)
            #expect(try await kubectl.run("apply", "-f", pools).succeeded)
            let scaled = try await kubectl.run("scale", "fpool", "default", "--replicas=7")
            #expect(scaled.succeeded && scaled.stdout.contains("scaled"), "\(scaled.stdout) \(scaled.stderr)")
            let pool = try await session.waitFor("fpool", "default", "take the new capacity", timeout: .seconds(30)) { $0["status"]["workers"] == 7 }
            #expect(pool["spec"]["workers"] == 7)
            let table = try await kubectl.run("get", "fpool", "default", "-o", "custom-columns=WORKERS:.spec.workers,CURRENT:.status.workers,SELECTOR:.status.selector")
            #expect(table.stdout.contains("7         7"), "\(table.stdout)")

            let refused = try await kubectl.run("scale", "fpool", "auto", "--replicas=3")
            #expect(!refused.succeeded && refused.stderr.contains("workers is chosen by the autoscaler"), "\(refused.stderr)")
            let both = try kubectl.write("both.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: WorkerPool
                metadata: {name: both}
                spec: {workers: 3, autoscaling: {maxWorkers: 5}}
                """)
            let rejected = try await kubectl.run("apply", "-f", both)
            #expect(!rejected.succeeded && rejected.stderr.contains("spec.workers") && rejected.stderr.contains("remove spec.autoscaling"), "\(rejected.stderr)")
        }
    }
}
