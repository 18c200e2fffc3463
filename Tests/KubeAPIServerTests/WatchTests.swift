/// Watch semantics: from a resourceVersion, from 0, selectors, bookmarks, timeouts, 410,
/// sendInitialEvents, dropped watches and forced expiry.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct WatchTests {
    @Test func watchFromResourceVersionReplaysHistoryThenStreams() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let a = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a")).json
            _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("b"))
            let rv = try #require(a.resourceVersion)
            let w = c.startWatch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)")
            try await waitUntil(timeout: .seconds(20)) { w.summary == ["ADDED b"] }
            _ = try await c.delete("/api/v1/namespaces/default/configmaps/a")
            try await waitUntil(timeout: .seconds(20)) { w.summary == ["ADDED b", "DELETED a"] }
            w.stop()
            try await c.close()
        }
    }

    @Test func watchFromZeroSendsSyntheticAddedAndSelectorTransitions() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a", labels: ["app": "x"]))
            _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("b", labels: ["app": "y"]))
            let w = c.startWatch("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&labelSelector=app%3Dx")
            try await waitUntil(timeout: .seconds(20)) { w.summary == ["ADDED a"] }
            _ = try await c.patch("/api/v1/namespaces/default/configmaps/b", ["metadata": ["labels": ["app": "x"]]])
            _ = try await c.patch("/api/v1/namespaces/default/configmaps/a", ["metadata": ["labels": ["app": "z"]]])
            try await waitUntil(timeout: .seconds(20)) { w.summary == ["ADDED a", "ADDED b", "DELETED a"] }
            w.stop()
            try await c.close()
        }
    }

    @Test func bookmarksTimeoutAndInitialEventsEnd() async throws {
        var config = APIServerConfiguration()
        config.bookmarkInterval = .milliseconds(100)
        try await withAPIServer(config) { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a"))
            let events = try await c.watchAll("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan")
            #expect(events.first?["type"] == "ADDED")
            #expect(events.dropFirst().first?["type"] == "BOOKMARK")
            #expect(events.dropFirst().first?["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"] == "true")
            #expect(events.filter { $0["type"] == "BOOKMARK" }.count >= 3)
            #expect(events.last?["object"]["kind"] == "ConfigMap")
            try await c.close()
        }
    }

    @Test func tooOldResourceVersionGetsExpiredErrorEvent() async throws {
        var config = APIServerConfiguration()
        config.watchHistorySize = 3
        try await withAPIServer(config) { server in
            let c = try TestHTTPClient(server)
            let first = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a")).json
            for i in 0..<5 { _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("n\(i)")) }
            let events = try await c.watchAll("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(first.resourceVersion ?? "")")
            #expect(events.count == 1)
            #expect(events.first?["type"] == "ERROR")
            #expect(events.first?["object"]["code"] == 410 && events.first?["object"]["reason"] == "Expired")
            #expect(events.first?["object"]["message"].stringValue?.hasPrefix("too old resource version: ") == true)

            // Forced expiry from the fault injector, then normal again.
            server.faults.set(FaultPlan(forcedWatchExpirations: 1))
            let forced = try await c.watchAll("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
            #expect(forced.first?["type"] == "ERROR")
            let normal = try await c.watchAll("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1")
            #expect(normal.first?["type"] == "ADDED")
            try await c.close()
        }
    }

    @Test func dropWatchesEndsOpenStreams() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let w = c.startWatch("/api/v1/namespaces/default/configmaps?watch=true")
            try await waitUntil(timeout: .seconds(20)) {
                _ = try await c.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "p-"]])
                return !w.events.isEmpty
            }
            server.faults.dropWatches()
            try await waitUntil(timeout: .seconds(20)) { w.ended }
            try await c.close()
        }
    }

    @Test func listPaginationAndFieldSelectors() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            for i in 0..<5 { _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("cm\(i)")) }
            var names: [String] = []
            var next = ""
            repeat {
                let page = try await c.get("/api/v1/namespaces/default/configmaps?limit=2&continue=\(next)").json
                names += (page["items"].arrayValue ?? []).compactMap(\.name)
                next = page["metadata"]["continue"].stringValue ?? ""
                #expect(page["metadata"]["resourceVersion"].stringValue != nil)
            } while !next.isEmpty
            #expect(names == ["cm0", "cm1", "cm2", "cm3", "cm4"])
            let byName = try await c.get("/api/v1/configmaps?fieldSelector=metadata.name%3Dcm3").json
            #expect((byName["items"].arrayValue ?? []).compactMap(\.name) == ["cm3"])
            let unsupported = try await c.get("/api/v1/configmaps?fieldSelector=spec.foo%3Dx")
            #expect(unsupported.status == 400 && unsupported.json["message"] == "field label not supported: spec.foo")
            let rvAndContinue = try await c.get("/api/v1/configmaps?resourceVersion=5&continue=abc")
            #expect(rvAndContinue.status == 400)
            try await c.close()
        }
    }
}
