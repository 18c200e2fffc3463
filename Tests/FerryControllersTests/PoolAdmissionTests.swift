/// WorkerPool admission: capacity, oldest first, deterministic ties.
import Testing
import Foundation
import KubeCore
@testable import FerryControllers

private func q(_ name: String, _ seconds: Double, ns: String = "data") -> QueuedSync {
    QueuedSync(namespace: ns, name: name, queuedSince: Date(timeIntervalSince1970: seconds))
}

@Suite struct PoolAdmissionTests {
    @Test func oldestFirstUpToFreeCapacity() {
        let queued = [q("c", 30), q("a", 10), q("b", 20), q("d", 40)]
        #expect(PoolAdmission.admitted(capacity: 2, activeWorkers: 0, queued: queued).map(\.name) == ["a", "b"])
        #expect(PoolAdmission.admitted(capacity: 3, activeWorkers: 1, queued: queued).map(\.name) == ["a", "b"])
        #expect(PoolAdmission.admitted(capacity: 10, activeWorkers: 0, queued: queued).map(\.name) == ["a", "b", "c", "d"])
    }

    @Test(arguments: [(2, 2), (2, 5), (0, 0)])
    func fullOrZeroCapacityAdmitsNothing(_ capacity: Int, _ active: Int) {
        #expect(PoolAdmission.admitted(capacity: capacity, activeWorkers: active, queued: [q("a", 1)]).isEmpty)
    }

    @Test func tiesBreakByNamespaceThenName() {
        let queued = [q("b", 5, ns: "x"), q("a", 5, ns: "y"), q("a", 5, ns: "x")]
        #expect(PoolAdmission.admitted(capacity: 3, activeWorkers: 0, queued: queued).map { "\($0.namespace)/\($0.name)" } == ["x/a", "x/b", "y/a"])
        // Any input order gives the same answer.
        #expect(PoolAdmission.admitted(capacity: 2, activeWorkers: 0, queued: queued.reversed()) == PoolAdmission.admitted(capacity: 2, activeWorkers: 0, queued: queued))
    }

    @Test func positionInQueue() {
        let queued = [q("a", 1), q("b", 2), q("c", 3)]
        #expect(PoolAdmission.position(of: q("b", 2), capacity: 2, activeWorkers: 0, queued: queued) == (true, 2))
        #expect(PoolAdmission.position(of: q("c", 3), capacity: 2, activeWorkers: 0, queued: queued) == (false, 3))
        #expect(PoolAdmission.position(of: q("a", 1), capacity: 1, activeWorkers: 1, queued: queued) == (false, 1))
    }

    @Test func readsSyncObjects() throws {
        let queuedTime: JSONValue = ["metadata": ["name": "s1", "namespace": "data", "creationTimestamp": "2026-01-01T00:00:00Z"],
                                     "status": ["queuedTime": "2026-01-01T00:05:00Z"]]
        #expect(QueuedSync(sync: queuedTime)?.queuedSince == KubeTime.parse("2026-01-01T00:05:00Z"))
        let created: JSONValue = ["metadata": ["name": "s2", "namespace": "data", "creationTimestamp": "2026-01-01T00:00:00Z"]]
        #expect(QueuedSync(sync: created)?.queuedSince == KubeTime.parse("2026-01-01T00:00:00Z"))
        #expect(QueuedSync(sync: ["metadata": ["name": "s3"]]) == nil)
        #expect(QueuedSync(sync: ["metadata": ["name": "s4", "creationTimestamp": "yesterday"]]) == nil)
    }
}
