/// Leader failover between two `ferry operator` processes against `ferry apiserver`: only
/// the leader reconciles; a SIGKILLed leader is replaced, and the new leader has reconciled
/// a Sync created after the kill, within the lease duration of the kill; a SIGTERMed leader
/// releases the Lease, so its successor takes over at its next retry, long before expiry.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct LeaderFailoverTests {
    struct Timing {
        var lease: Duration
        var flags: [String]
    }

    /// Short durations that pass the operator's validation (2.5 s + 1.2 × 1 s < 4 s).
    static let short = Timing(lease: .seconds(4), flags: ["--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "2500ms", "--leader-elect-retry-period", "1s"])
    /// For the graceful hand-over: an expiry (20 s) that cannot be mistaken for a release.
    static let long = Timing(lease: .seconds(20), flags: ["--leader-elect-lease-duration", "20s", "--leader-elect-renew-deadline", "15s", "--leader-elect-retry-period", "1s"])

    static func startOperator(_ name: String, _ timing: Timing, kubeconfig: String, in directory: String) throws -> FerryProcess {
        // No listeners, so parallel tests never clash on ports; no default pool (nothing here runs pods).
        try FerryProcess(name, ["operator", "--kubeconfig", kubeconfig, "--leader-election-namespace", "default", "--metrics-bind-address", "0",
                                "--health-probe-bind-address", "0", "--create-default-pool=false"] + timing.flags, in: directory)
    }

    /// `ferry apiserver` with the CRDs Established; `body` gets kubectl, the kubeconfig path
    /// and the test's directory. The server is always stopped.
    static func withAPIServer<T>(_ body: (Kubectl, String, String) async throws -> T) async throws -> T {
        try await withFerryAPIServer(directoryPrefix: "ferry-failover", body)
    }

    /// The operator's JSON log lines.
    static func entries(_ op: FerryProcess) -> [JSONValue] {
        op.log.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    static func logged(_ op: FerryProcess, _ message: String) -> Bool { entries(op).contains { $0["msg"].stringValue == message } }

    /// The Lease identity the operator logged at start.
    static func identity(_ op: FerryProcess) -> String? {
        entries(op).first { $0["msg"] == "starting operator" }?["identity"].stringValue
    }

    static func holder(_ kubectl: Kubectl) async throws -> String {
        try await kubectl.run("get", "lease", "ferry-operator", "-n", "default", "-o", "jsonpath={.spec.holderIdentity}").stdout
    }

    /// Waits until one of `a` and `b` holds the Lease; returns (leader, standby).
    static func leaderAndStandby(_ kubectl: Kubectl, _ a: FerryProcess, _ b: FerryProcess) async throws -> (FerryProcess, FerryProcess) {
        var current = ""
        do {
            try await waitUntil(timeout: .seconds(60)) {
                guard a.isRunning, b.isRunning, identity(a) != nil, identity(b) != nil else { return !a.isRunning || !b.isRunning }
                current = try await holder(kubectl)
                return current == identity(a) || current == identity(b)
            }
        } catch {
            Issue.record("no leader (holder \"\(current)\")\n--- a ---\n\(a.log.suffix(3000))\n--- b ---\n\(b.log.suffix(3000))")
            throw error
        }
        try #require(a.isRunning && b.isRunning, "an operator exited\n--- a ---\n\(a.log.suffix(3000))\n--- b ---\n\(b.log.suffix(3000))")
        return current == identity(a) ? (a, b) : (b, a)
    }

    /// A Sync of a Connection that does not exist: its reconcile writes phase Queued
    /// (ConnectionNotFound) and nothing else, so no node is needed.
    static func createSync(_ name: String, _ kubectl: Kubectl) async throws {
        let r = try await kubectl.run("create", "-f", try kubectl.write("\(name).yaml", """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: \(name)}
            spec: {connectionRef: {name: absent}}
            """))
        try #require(r.succeeded, "\(r.stderr)")
    }

    /// Whether a Sync watch (`name phase` lines) has shown `name` with a phase.
    static func reconciled(_ name: String, in watch: BackgroundKubectl) -> Bool {
        watch.text.split(separator: "\n").contains { $0.hasPrefix("\(name) ") && $0.count > name.count + 1 }
    }

    /// An RFC 3339 time with any number of fractional digits (a Lease's MicroTime, a log line's milliseconds).
    static func parseTime(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("Z") else { return nil }
        let parts = trimmed.dropLast().split(separator: ".", maxSplits: 1)
        guard let whole = parts.first.flatMap({ KubeTime.parse(String($0) + "Z") }) else { return nil }
        guard parts.count == 2 else { return whole }
        guard let fraction = Double("0." + parts[1]) else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    @Test func aKilledLeaderIsReplacedAndTheNewLeaderReconcilesWithinTheLeaseDuration() async throws {
        try await Self.withAPIServer { kubectl, kubeconfig, directory in
            let a = try Self.startOperator("operator-a", Self.short, kubeconfig: kubeconfig, in: directory)
            defer { a.stop() }
            let b = try Self.startOperator("operator-b", Self.short, kubeconfig: kubeconfig, in: directory)
            defer { b.stop() }
            let (leader, standby) = try await Self.leaderAndStandby(kubectl, a, b)

            // Every Sync event from now on, as `name phase` lines: the moment a status is
            // written is seen within the watch's delivery time.
            let syncs = try kubectl.start("get", "fsync", "-w", "-o", #"jsonpath={.metadata.name} {.status.phase}{"\n"}"#)
            defer { syncs.stop() }
            try await Self.createSync("before", kubectl)
            try await waitUntil(timeout: .seconds(30)) { Self.reconciled("before", in: syncs) }
            // Only the leader reconciles: the standby neither leads nor starts its controllers.
            try await waitUntil(timeout: .seconds(10)) { Self.logged(leader, "first reconcile") }
            #expect(Self.logged(leader, "became leader"))
            #expect(!Self.logged(standby, "became leader") && !Self.logged(standby, "starting workers") && !Self.logged(standby, "first reconcile"),
                    "\(standby.log.suffix(3000))")

            // Kill 0.5–0.9 s into a renew cycle (1 s retry), timed from the Lease's own
            // renewTime rather than from when kubectl showed it, which lags under load. A
            // kill right at a renew cannot be replaced sooner than leaseDuration after that
            // renew, plus the takeover's own latency, which an exact bound could not absorb.
            let renews = try kubectl.start("get", "lease", "ferry-operator", "-n", "default", "-w", "-o", #"jsonpath={.spec.renewTime}{"\n"}"#)
            defer { renews.stop() }
            var killed: Date?
            for _ in 0..<10 where killed == nil {
                let seen = renews.text.split(separator: "\n").count
                try await waitUntil(timeout: .seconds(10)) { renews.text.split(separator: "\n").count > seen }
                guard let renewed = renews.text.split(separator: "\n").last.flatMap({ Self.parseTime(String($0)) }) else { continue }
                let killAt = renewed.addingTimeInterval(Double.random(in: 0.5..<0.9))
                guard Date() < killAt.addingTimeInterval(-0.05) else { continue }  // seen too late: the next renew
                try await waitUntil(timeout: .seconds(5)) { Date() >= killAt }
                leader.kill()
                killed = Date()
            }
            let killedAt = try #require(killed, "no renew seen early enough to kill within its cycle\n\(renews.text)")
            #expect(!leader.isRunning)

            try await Self.createSync("after", kubectl)
            do {
                try await waitUntil(timeout: Self.short.lease * 5) { Self.reconciled("after", in: syncs) }
            } catch {
                Issue.record("no reconcile after the kill\n\(syncs.text)\n--- standby ---\n\(standby.log.suffix(4000))")
                throw error
            }
            // The standby's own log stamps its first reconcile, so the watch's delivery
            // time is not counted.
            let firstReconcile = try #require(Self.entries(standby).first { $0["msg"] == "first reconcile" }?["time"].stringValue.flatMap(Self.parseTime))
            let failover = firstReconcile.timeIntervalSince(killedAt)
            #expect(failover <= Double(Self.short.lease.components.seconds), "kill -> the new leader's first reconcile took \(failover) s\n\(standby.log.suffix(3000))")
            #expect(try await Self.holder(kubectl) == Self.identity(standby))
            #expect(Self.logged(standby, "became leader") && Self.logged(standby, "first reconcile"), "\(standby.log.suffix(3000))")
            let transitions = try await kubectl.run("get", "lease", "ferry-operator", "-n", "default", "-o", "jsonpath={.spec.leaseTransitions}").stdout
            #expect(transitions == "1")
        }
    }

    @Test func aStoppedLeaderReleasesTheLeaseAndItsSuccessorTakesOverAtItsNextRetry() async throws {
        try await Self.withAPIServer { kubectl, kubeconfig, directory in
            let a = try Self.startOperator("operator-a", Self.long, kubeconfig: kubeconfig, in: directory)
            defer { a.stop() }
            let b = try Self.startOperator("operator-b", Self.long, kubeconfig: kubeconfig, in: directory)
            defer { b.stop() }
            let (leader, standby) = try await Self.leaderAndStandby(kubectl, a, b)
            let successor = try #require(Self.identity(standby))

            let clock = ContinuousClock()
            let stopped = clock.now
            leader.process.terminate()
            do {
                try await waitUntil(timeout: Self.long.lease * 2) { try await Self.holder(kubectl) == successor }
            } catch {
                Issue.record("no takeover\n--- leader ---\n\(leader.log.suffix(3000))\n--- standby ---\n\(standby.log.suffix(3000))")
                throw error
            }
            let handover = stopped.duration(to: clock.now)
            // Released: the successor takes it at its next retry (1–1.2 s) once the leader has
            // drained; an expiry could not come before 20 s after the leader's last renew.
            #expect(handover < Self.long.lease / 2, "handover took \(handover)")
            leader.stop()
            #expect(leader.process.terminationStatus == 0, "\(leader.log.suffix(3000))")
            #expect(Self.logged(leader, "released the lease"), "\(leader.log.suffix(3000))")

            try await Self.createSync("after-handover", kubectl)
            do {
                try await waitUntil(timeout: .seconds(30)) {
                    try await kubectl.run("get", "fsync", "after-handover", "-o", "jsonpath={.status.phase}").stdout == "Queued"
                }
            } catch {
                Issue.record("the new leader did not reconcile\n\(standby.log.suffix(3000))")
                throw error
            }
        }
    }

    @Test func durationsThatLeaveNoMarginAreRefusedAtStartUp() async throws {
        let directory = try TestDirectory("ferry-failover-flags")
        defer { directory.remove() }
        let r = try await runFerryCommand(["operator", "--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s", "--leader-elect-retry-period", "1s"],
                                          in: directory.path)
        #expect(r.code == 64, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("invalid leader election configuration: renewDeadline + retryPeriod*JitterFactor must be less than leaseDuration"), "\(r.stderr)")
        let bad = try await runFerryCommand(["operator", "--leader-elect-retry-period", "soon"], in: directory.path)
        #expect(bad.code == 64)
        #expect(bad.stderr.contains("--leader-elect-retry-period must be a positive duration"), "\(bad.stderr)")
    }
}
