/// Conditions, the finalizer decision, event correlation, reconcile outcomes, metrics text.
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Testing

@Suite struct ConditionTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let t1 = Date(timeIntervalSince1970: 1_700_000_100)

    @Test func transitionTimeChangesOnlyWithTheStatus() {
        var list: [Condition] = []
        let c1 = Conditions.set(&list, Condition(type: "Ready", status: .false, reason: "Pending"), now: t0)
        #expect(c1)
        let first = list[0].lastTransitionTime
        #expect(first == KubeTime.format(t0))
        // Same status, new reason and a caller-supplied time: reason changes, time is kept.
        let c2 = Conditions.set(&list, Condition(type: "Ready", status: .false, reason: "Waiting", lastTransitionTime: KubeTime.format(t1)), now: t1)
        #expect(c2)
        #expect(list[0].lastTransitionTime == first)
        #expect(list[0].reason == "Waiting")
        let c3 = Conditions.set(&list, Condition(type: "Ready", status: .false, reason: "Waiting"), now: t1)
        #expect(!c3, "an identical condition is no change")
        let c4 = Conditions.set(&list, Condition(type: "Ready", status: .true, reason: "Running"), now: t1)
        #expect(c4)
        #expect(list[0].lastTransitionTime == KubeTime.format(t1))
        #expect(list.count == 1)
    }

    @Test func foreignEntriesAreKept() throws {
        var obj: JSONValue = ["metadata": ["name": "x", "generation": 2], "status": ["conditions": [["type": "Legacy", "status": "True"], ["type": "Ready", "status": "False"]]]]
        let changed = try Conditions.set(in: &obj, Condition(type: "Ready", status: .true, reason: "Ok"), now: t0)
        #expect(changed)
        let list = obj["status"]["conditions"].arrayValue ?? []
        #expect(list.count == 2)
        #expect(list.first == ["type": "Legacy", "status": "True"], "an entry that is not a full Condition is kept as written")
        #expect(list.last?["status"] == "True")
    }

    @Test func settingOnAnObjectRecordsObservedGeneration() throws {
        var obj: JSONValue = ["metadata": ["name": "x", "generation": 7], "status": ["phase": "Running"]]
        let c5 = try Conditions.set(in: &obj, Condition(type: "Ready", status: .true, reason: "Ok"), now: t0)
        #expect(c5)
        let c = try #require(obj["status"]["conditions"].arrayValue?.first)
        #expect(c["observedGeneration"] == 7)
        #expect(obj["status"]["phase"] == "Running")
        let c6 = try Conditions.set(in: &obj, Condition(type: "Ready", status: .true, reason: "Ok"), now: t1)
        #expect(!c6)
    }
}

@Suite struct FinalizerStepTests {
    let name = "ferry.dev/cleanup"

    @Test func addsWithAResourceVersionGuard() {
        let step = FinalizerStep.decide(object("a", rv: "5"), finalizer: name)
        #expect(step == .add(patch: [
            ["op": "test", "path": "/metadata/resourceVersion", "value": "5"],
            ["op": "add", "path": "/metadata/finalizers", "value": ["ferry.dev/cleanup"]],
        ]))
        var other = object("a", rv: "5")
        other["metadata"]["finalizers"] = ["someone/else"]
        guard case .add(let patch) = FinalizerStep.decide(other, finalizer: name) else { Issue.record("expected add"); return }
        #expect(patch.arrayValue?.last == ["op": "add", "path": "/metadata/finalizers/-", "value": "ferry.dev/cleanup"])
    }

    @Test func appliesWhenPresentAndLive() {
        var obj = object("a")
        obj["metadata"]["finalizers"] = ["ferry.dev/cleanup"]
        #expect(FinalizerStep.decide(obj, finalizer: name) == .apply)
    }

    @Test func cleanupRemovesOnlyOurOwnByTestedIndex() {
        var obj = object("a")
        obj["metadata"]["finalizers"] = ["someone/else", "ferry.dev/cleanup", "third/one"]
        obj["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        #expect(FinalizerStep.decide(obj, finalizer: name) == .cleanup(removePatch: [
            ["op": "test", "path": "/metadata/finalizers/1", "value": "ferry.dev/cleanup"],
            ["op": "remove", "path": "/metadata/finalizers/1"],
        ]))
        obj["metadata"]["finalizers"] = ["someone/else"]
        #expect(FinalizerStep.decide(obj, finalizer: name) == .nothing)
    }
}

@Suite struct EventCorrelatorTests {
    @Test func repeatsAggregateAndDifferentMessagesDoNot() {
        var c = EventCorrelator(capacity: 2)
        let k1 = EventCorrelator.Key(kind: "Pod", namespace: "d", name: "p", uid: "u", type: "Normal", reason: "Synced", message: "ok")
        var k2 = k1
        k2.message = "other"
        #expect(c.decide(k1) == .create)
        c.recorded(k1, eventName: "p.1", count: 1)
        #expect(c.decide(k1) == .patch(eventName: "p.1", count: 2))
        #expect(c.decide(k2) == .create)
        c.recorded(k2, eventName: "p.2", count: 1)
        var k3 = k1
        k3.reason = "Third"
        c.recorded(k3, eventName: "p.3", count: 1)
        #expect(c.decide(k1) == .create, "the oldest entry is evicted beyond capacity")
    }
}

@Suite struct ReconcileOutcomeTests {
    struct Boom: Error {}
    static let conflict = KubeClientError.api(APIError(code: 409, body: [], operation: "PUT x"))

    @Test(arguments: [
        (Result<ReconcileAction, any Error>.success(.done), ReconcileOutcome.success),
        (.success(.requeueAfter(.seconds(5))), .requeueAfter),
        (.failure(Boom()), .error),
        (.failure(TerminalError(Boom())), .terminalError),
        (.failure(conflict), .requeue),
    ])
    func classifies(_ result: Result<ReconcileAction, any Error>, _ expected: ReconcileOutcome) {
        #expect(ReconcileOutcome.classify(result) == expected)
    }
}

@Suite struct MetricsRegistryTests {
    @Test func rendersPrometheusText() {
        let m = MetricsRegistry()
        m.describe("requests_total", kind: .counter, help: "Requests.")
        m.increment("requests_total", ["code": "200", "a": "x\"y"])
        m.increment("requests_total", ["code": "200", "a": "x\"y"], by: 2)
        m.describe("latency_seconds", kind: .histogram, help: "Latency.", buckets: [0.1, 1])
        m.observe("latency_seconds", [:], 0.05)
        m.observe("latency_seconds", [:], 0.5)
        let text = m.render()
        #expect(text.contains("# TYPE requests_total counter\n"))
        #expect(text.contains("requests_total{a=\"x\\\"y\",code=\"200\"} 3\n"))
        #expect(text.contains("latency_seconds_bucket{le=\"0.1\"} 1\n"))
        #expect(text.contains("latency_seconds_bucket{le=\"1\"} 2\n"))
        #expect(text.contains("latency_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("latency_seconds_count 2\n"))
    }
}

@Suite struct LeaderElectionCoreTests {
    let config = LeaderElectionConfiguration(leaseName: "ferry", namespace: "ns", identity: "a")
    let wall = Date(timeIntervalSince1970: 1_700_000_000)

    func lease(holder: String?, duration: Int64 = 15, transitions: Int64 = 0, renew: String = "r1") -> JSONValue {
        var spec: JSONValue = ["leaseDurationSeconds": .int(duration), "leaseTransitions": .int(transitions), "renewTime": .string(renew)]
        if let holder { spec["holderIdentity"] = .string(holder) }
        return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "ferry", "namespace": "ns", "resourceVersion": "3"], "spec": spec]
    }

    @Test func createsAMissingLease() {
        var core = LeaderElectionCore(configuration: config)
        guard case .create(let l) = core.decide(current: nil, now: .zero, wallTime: wall) else { Issue.record("expected create"); return }
        #expect(l["spec"]["holderIdentity"] == "a")
        #expect(l["spec"]["leaseDurationSeconds"] == 15)
        #expect(l["spec"]["leaseTransitions"] == 0)
    }

    @Test func respectsAnotherHolderUntilTheLeaseExpiresByOurClock() {
        var core = LeaderElectionCore(configuration: config)
        let c7 = core.decide(current: lease(holder: "b"), now: .seconds(100), wallTime: wall)
        #expect(c7 == .heldBy("b"))
        let c8 = core.decide(current: lease(holder: "b"), now: .seconds(114), wallTime: wall)
        #expect(c8 == .heldBy("b"))
        // The holder renewed: the 15 s restart from when we saw the change.
        let c9 = core.decide(current: lease(holder: "b", renew: "r2"), now: .seconds(114), wallTime: wall)
        #expect(c9 == .heldBy("b"))
        let c10 = core.decide(current: lease(holder: "b", renew: "r2"), now: .seconds(128), wallTime: wall)
        #expect(c10 == .heldBy("b"))
        guard case .update(let l) = core.decide(current: lease(holder: "b", renew: "r2"), now: .seconds(130), wallTime: wall) else {
            Issue.record("expected takeover"); return
        }
        #expect(l["spec"]["holderIdentity"] == "a")
        #expect(l["spec"]["leaseTransitions"] == 1)
        #expect(l["metadata"]["resourceVersion"] == "3", "the update must carry the RV it read")
    }

    @Test func aReleasedLeaseIsTakenAtOnceAndRenewKeepsAcquireTime() {
        var core = LeaderElectionCore(configuration: config)
        guard case .update(let l) = core.decide(current: lease(holder: nil, duration: 1, transitions: 2), now: .seconds(1), wallTime: wall) else {
            Issue.record("expected acquire"); return
        }
        core.succeeded(l, now: .seconds(1))
        #expect(core.isLeader)
        guard case .update(let renewed) = core.decide(current: l, now: .seconds(3), wallTime: wall.addingTimeInterval(2)) else { Issue.record("expected renew"); return }
        #expect(renewed["spec"]["acquireTime"] == l["spec"]["acquireTime"])
        #expect(renewed["spec"]["leaseTransitions"] == 3)
        #expect(renewed["spec"]["renewTime"] != l["spec"]["renewTime"])
    }

    @Test func leadershipIsLostOnlyAfterTheRenewDeadline() {
        var core = LeaderElectionCore(configuration: config)
        core.succeeded(lease(holder: "a"), now: .seconds(10))
        let c11 = core.failed(now: .seconds(15))
        #expect(c11)
        let c12 = core.failed(now: .seconds(19))
        #expect(c12)
        let c13 = core.failed(now: .seconds(20))
        #expect(!c13)
        #expect(!core.isLeader)
    }

    @Test func releaseClearsTheHolderOnlyWhenOurs() {
        let core = LeaderElectionCore(configuration: config)
        let released = core.release(current: lease(holder: "a"), wallTime: wall)
        #expect(released?["spec"]["holderIdentity"] == .null)
        #expect(released?["spec"]["leaseDurationSeconds"] == 1)
        #expect(core.release(current: lease(holder: "b"), wallTime: wall) == nil)
    }

    @Test(arguments: [
        (15, 10, 2, true), (10, 10, 2, false), (15, 2, 2, false), (15, 10, 0, false),
    ])
    func validatesDurations(lease: Int, renew: Int, retry: Int, valid: Bool) {
        let c = LeaderElectionConfiguration(leaseName: "l", namespace: "n", identity: "i", leaseDuration: .seconds(lease), renewDeadline: .seconds(renew), retryPeriod: .seconds(retry))
        let ok = (try? c.validate()) != nil
        #expect(ok == valid)
    }
}
