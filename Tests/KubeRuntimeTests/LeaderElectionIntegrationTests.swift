/// Two leader electors against one embedded API server: exactly one leads; a graceful stop
/// hands over at the successor's next retry, without waiting for the lease to expire; a
/// killed leader is replaced once its lease expires, measured from its last renew.
///
/// Wall-clock bounds here are deliberately wide (the suite shares two cores with servers
/// and kubectl processes): they separate "next retry" from "lease expiry", which is the
/// behaviour under test, rather than measuring latency.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct LeaderElectionIntegrationTests {
    /// Short durations: lease 4 s, renew 3 s, retry 0.2 s.
    static let leaseDuration = Duration.seconds(4)

    /// For the graceful hand-over: a lease long enough that expiry (20 s) can never be
    /// mistaken for a release-driven takeover on a loaded machine.
    static let longLeaseDuration = Duration.seconds(20)

    func config(_ identity: String, leaseDuration: Duration = Self.leaseDuration) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            leaseName: "ferry-operator", namespace: "default", identity: identity, leaseDuration: leaseDuration,
            renewDeadline: leaseDuration * 3 / 4, retryPeriod: .milliseconds(200))
    }

    final class Leading: Sendable {
        private let state = Mutex<(current: Set<String>, overlap: Bool)>(([], false))
        func enter(_ id: String) { state.withLock { s in s.current.insert(id); if s.current.count > 1 { s.overlap = true } } }
        func exit(_ id: String) { _ = state.withLock { $0.current.remove(id) } }
        var current: Set<String> { state.withLock { $0.current } }
        var overlapped: Bool { state.withLock { $0.overlap } }
    }

    func elector(_ id: String, _ client: KubernetesClient, _ leading: Leading, leaseDuration: Duration = Self.leaseDuration) throws -> LeaderElector {
        try LeaderElector(configuration: config(id, leaseDuration: leaseDuration), client: client) {
            leading.enter(id)
            // Runs "controllers" until cancelled.
            try? await Task.sleep(for: .seconds(3600))
            leading.exit(id)
        }
    }

    @Test func gracefulStopHandsOverWithinARetryPeriod() async throws {
        try await withClient(runtimeServer) { _, client in
            let leading = Leading()
            let a = try elector("a", client, leading, leaseDuration: Self.longLeaseDuration)
            let b = try elector("b", client, leading, leaseDuration: Self.longLeaseDuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await a.run() }
                // Generous waits where timing is not what is tested: the suite shares two cores.
                try await poll(timeout: .seconds(30)) { a.isLeader && leading.current == ["a"] }
                group.addTask { await b.run() }
                // b campaigns for several retry periods without taking over.
                let clock = ContinuousClock()
                let watchUntil = clock.now + .milliseconds(800)
                try await poll(timeout: .seconds(30)) { clock.now >= watchUntil }
                #expect(!b.isLeader)
                #expect(leading.current == ["a"])

                let stopped = clock.now
                a.stop()
                try await poll(timeout: .seconds(19)) { b.isLeader && leading.current == ["b"] }
                let handover = stopped.duration(to: clock.now)
                // Released lease: b takes it at its next retry (0.2 s × jitter ≤ 1.2) plus request
                // time; a takeover by expiry could not happen before the 20 s lease runs out.
                #expect(handover < Self.longLeaseDuration / 2, "handover took \(handover)")
                let lease = try await client.get(.lease, name: "ferry-operator", namespace: "default")
                #expect(lease["spec"]["holderIdentity"] == "b")
                #expect(lease["spec"]["leaseTransitions"] == 1)
                b.stop()
                try await group.waitForAll()
            }
            #expect(!leading.overlapped, "two candidates led at once")
            let lease = try await client.get(.lease, name: "ferry-operator", namespace: "default")
            #expect(lease["spec"]["holderIdentity"] == .null, "a graceful stop releases the lease")
        }
    }

    @Test func killedLeaderIsReplacedWithinTheLeaseDuration() async throws {
        try await withClient(runtimeServer) { _, client in
            let leading = Leading()
            let a = try elector("a", client, leading)
            let b = try elector("b", client, leading)
            try await withThrowingTaskGroup(of: Void.self) { group in
                let killable = Task { await a.run() }
                try await poll(timeout: .seconds(30)) { a.isLeader }
                group.addTask { await b.run() }
                let clock = ContinuousClock()
                // "Kill" a: cancel it without release; the lease stays held until it expires.
                killable.cancel()
                await killable.value
                let killed = clock.now
                let lease = try await client.get(.lease, name: "ferry-operator", namespace: "default")
                #expect(lease["spec"]["holderIdentity"] == "a", "a killed leader does not release")
                try await poll(timeout: .seconds(30)) { b.isLeader }
                let handover = killed.duration(to: clock.now)
                #expect(handover < Self.leaseDuration * 3, "b must take over once the lease expires (took \(handover))")
                // Both share the wall clock, so b dates a's last renew exactly: it acquires no
                // sooner than that renew + the lease duration, and (waking at the expiry, not
                // at a later poll) soon after it.
                let taken = try await client.get(.lease, name: "ferry-operator", namespace: "default")
                let lastRenew = try #require(lease["spec"]["renewTime"].stringValue.flatMap(KubeTime.parse))
                let acquired = try #require(taken["spec"]["acquireTime"].stringValue.flatMap(KubeTime.parse))
                #expect(taken["spec"]["holderIdentity"] == "b")
                let afterExpiry = acquired.timeIntervalSince(lastRenew) - Self.leaseDuration / .seconds(1)
                // 1 ms for the microseconds between reading the monotonic and the wall clock.
                #expect(afterExpiry >= -0.001, "b acquired \(afterExpiry) s before a's lease expired")
                // Generous: on a loaded 2-core machine a wake-up can be late by seconds.
                #expect(afterExpiry < 5, "b acquired \(afterExpiry) s after a's lease expired")
                b.stop()
                try await group.waitForAll()
            }
        }
    }
}
