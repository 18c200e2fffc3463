/// The fault injector's additions for the chaos suite (docs/chaos.md): a mix of 5xx codes,
/// clients spared by User-Agent, counters of what was served, re-armed 410s, and the
/// change observer that no fault touches.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Synchronization
import Testing

@Suite struct FaultInjectorTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func mixedCodesSparedClientsAndCounts() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            server.faults.set(FaultPlan(errorRate: 1, errorCodes: [500, 503], spareUserAgentPrefixes: ["observer/"], seed: 5))
            var codes: [Int] = []
            for _ in 0..<20 { codes.append(try await c.get(Self.cms).status) }
            #expect(Set(codes) == [500, 503], "\(codes)")
            #expect(try await c.get(Self.cms, headers: [("User-Agent", "observer/1.0")]).status == 200)

            // Counts survive a new plan; a re-armed 410 needs no plan of its own.
            server.faults.clear()
            server.faults.forceWatchExpirations(1)
            let watch = try await c.watchAll(Self.cms + "?watch=true&resourceVersion=1")
            #expect(watch.first?["object"]["code"] == 410, "\(watch)")

            let counts = server.faults.counts()
            #expect((counts.errors[500] ?? 0) + (counts.errors[503] ?? 0) == 20 && counts.expiredWatches == 1, "\(counts)")
            try await c.close()
        }
    }

    @Test func theChangeObserverSeesEveryWriteWhileClientsGetFaults() async throws {
        try await withAPIServer { server in
            let seen = Mutex<[String]>([])
            server.observeChanges { change in
                if change.resource == "/configmaps" { seen.withLock { $0.append("\(change.type.rawValue) \(change.object.name ?? "")") } }
            }
            let c = try TestHTTPClient(server)
            server.faults.set(FaultPlan(errorRate: 0.5, seed: 9))
            var created = 0
            for i in 0..<10 {
                if try await c.post(Self.cms, ["metadata": ["name": .string("cm-\(i)")]]).status == 201 { created += 1 }
            }
            server.faults.clear()
            #expect(created > 0 && created < 10)
            #expect(seen.withLock { $0.count } == created && seen.withLock { $0 }.allSatisfy { $0.hasPrefix("ADDED cm-") })
            server.observeChanges(nil)
            try await c.close()
        }
    }
}
