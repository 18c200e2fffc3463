/// The watcher state machine, driven step by step with no I/O.
import KubeClient
import KubeCore
import KubeRuntime
import Testing

@Suite struct WatcherStateMachineTests {
    func page(_ items: [JSONValue], rv: String, next: String? = nil) -> ObjectList {
        ObjectList(items: items, metadata: ListMeta(resourceVersion: rv, continue: next))
    }

    @Test func listsPagesThenWatchesFromTheListResourceVersion() {
        var m = WatcherStateMachine(configuration: .init(pageSize: 2))
        guard case .list(let first) = m.start() else { Issue.record("expected a list"); return }
        #expect(first.limit == 2)
        #expect(first.continueToken == nil)
        let r1 = m.listed(page([object("a"), object("b")], rv: "10", next: "tok"))
        #expect(r1.event == nil, "a partial list must not be emitted")
        guard case .list(let second) = r1.next else { Issue.record("expected the next page"); return }
        #expect(second.continueToken == "tok")
        #expect(second.resourceVersion == nil)
        let r2 = m.listed(page([object("c")], rv: "10"))
        #expect(r2.event == .restarted([object("a"), object("b"), object("c")]))
        guard case .watch(let w) = r2.next else { Issue.record("expected a watch"); return }
        #expect(w.resourceVersion == "10")
        #expect(w.allowWatchBookmarks == true)
    }

    @Test func eventsAndBookmarksAdvanceTheResumeVersion() {
        var m = WatcherStateMachine()
        _ = m.start()
        _ = m.listed(page([], rv: "5"))
        let e1 = m.received(WatchEvent(type: .added, object: object("a", rv: "6")))
        #expect(e1.event == .applied(object("a", rv: "6")))
        let e2 = m.received(WatchEvent(type: .bookmark, object: ["metadata": ["resourceVersion": "9"]]))
        #expect(e2.event == nil)
        #expect(m.state == .watching(resourceVersion: "9"))
        let e3 = m.received(WatchEvent(type: .deleted, object: object("a", rv: "11")))
        #expect(e3.event == .deleted(object("a", rv: "11")))
        // A watch the server closes normally resumes at once from the last RV.
        guard case .watch(let w) = m.ended(error: nil) else { Issue.record("expected a watch"); return }
        #expect(w.resourceVersion == "11")
    }

    @Test func goneRelistsFromScratchWithoutBackoff() {
        var m = WatcherStateMachine()
        _ = m.start()
        _ = m.listed(page([], rv: "5"))
        let gone = KubeClientError.api(APIError(code: 410, status: Status(message: "too old resource version: 5 (9)", reason: .expired, code: 410), operation: "WATCH"))
        guard case .list(let o) = m.ended(error: gone) else { Issue.record("expected a relist"); return }
        #expect(o.resourceVersion == nil)
        #expect(o.continueToken == nil)
    }

    @Test func errorEventWithExpiredStatusRelists() {
        var m = WatcherStateMachine()
        _ = m.start()
        _ = m.listed(page([], rv: "5"))
        let status: JSONValue = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Expired", "code": 410, "message": "too old"]
        let r = m.received(WatchEvent(type: .error, object: status))
        guard case .list = r.replace else { Issue.record("expected a relist, got \(String(describing: r.replace))"); return }
    }

    @Test func otherErrorsBackOffExponentiallyAndResumeFromTheLastVersion() {
        var m = WatcherStateMachine(configuration: .init(initialBackoff: .milliseconds(800), maxBackoff: .seconds(30)))
        _ = m.start()
        _ = m.listed(page([], rv: "7"))
        let err = KubeClientError.transport(TransportError(operation: "WATCH", underlying: "reset"))
        var delays: [Duration] = []
        for _ in 0..<8 {
            guard case .sleep(let d) = m.ended(error: err) else { Issue.record("expected a backoff"); return }
            delays.append(d)
            guard case .watch(let w) = m.backoffElapsed() else { Issue.record("expected a watch"); return }
            #expect(w.resourceVersion == "7")
        }
        // ±25% jitter around 0.8, 1.6, 3.2 … capped at 30 s.
        #expect(delays[0] >= .milliseconds(600) && delays[0] <= .milliseconds(1000))
        #expect(delays[1] >= .milliseconds(1200) && delays[1] <= .milliseconds(2000))
        #expect(delays.allSatisfy { $0 <= .seconds(30) })
        #expect(delays[7] >= .milliseconds(22_500))
        // A successful event resets the failure count.
        _ = m.received(WatchEvent(type: .modified, object: object("a", rv: "8")))
        #expect(m.failures == 0)
    }

    @Test func aVeryShortEmptyWatchBacksOffButAnIdleOneResumes() {
        var m = WatcherStateMachine()
        _ = m.start()
        _ = m.listed(page([], rv: "4"))
        guard case .sleep = m.watchClosed(events: 0, lasted: .milliseconds(50)) else { Issue.record("expected a backoff"); return }
        guard case .watch(let w) = m.backoffElapsed() else { Issue.record("expected a watch"); return }
        #expect(w.resourceVersion == "4")
        guard case .watch = m.watchClosed(events: 0, lasted: .seconds(290)) else { Issue.record("an idle watch resumes at once"); return }
        guard case .watch = m.watchClosed(events: 3, lasted: .milliseconds(10)) else { Issue.record("a watch with events resumes at once"); return }
    }

    @Test func aFailedPageIsRetriedFromItsContinueToken() {
        var m = WatcherStateMachine(configuration: .init(pageSize: 1))
        _ = m.start()
        _ = m.listed(page([object("a")], rv: "3", next: "t1"))
        let err = KubeClientError.api(APIError(code: 500, body: [], operation: "LIST"))
        guard case .sleep = m.ended(error: err) else { Issue.record("expected a backoff"); return }
        guard case .list(let o) = m.backoffElapsed() else { Issue.record("expected a list"); return }
        #expect(o.continueToken == "t1")
        let done = m.listed(page([object("b")], rv: "3"))
        #expect(done.event == .restarted([object("a"), object("b")]))
    }
}

@Suite struct ObjectStoreTests {
    @Test func relistReplacesAtomicallyAndReportsTheDifference() {
        let store = ObjectStore()
        store.apply(.restarted([object("a"), object("b")]))
        #expect(store.isSynced)
        let changes = store.apply(.restarted([object("b", rv: "2"), object("c")]))
        #expect(Set(store.keys()) == [ObjectKey(namespace: "default", name: "b"), ObjectKey(namespace: "default", name: "c")])
        var added: [String] = [], updated: [String] = [], deleted: [String] = []
        for c in changes {
            switch c {
            case .added(let o): added.append(o.name ?? "")
            case .updated(_, let o): updated.append(o.name ?? "")
            case .deleted(let o): deleted.append(o.name ?? "")
            }
        }
        #expect(added == ["c"])
        #expect(updated == ["b"])
        #expect(deleted == ["a"])
    }

    @Test func indexesFollowUpdatesAndDeletes() {
        let owner: JSONValue = ["apiVersion": "v1", "kind": "X", "name": "o", "uid": "owner-1", "controller": true]
        let store = ObjectStore(indexers: [
            Indexers.namespace: Indexers.byNamespace, Indexers.ownerUID: Indexers.byOwnerUID,
            "connection": Indexers.byLabel("ferry.dev/connection"),
        ])
        store.apply(.restarted([
            object("a", namespace: "n1", labels: ["ferry.dev/connection": "pg"], owners: [owner]),
            object("b", namespace: "n2", labels: ["ferry.dev/connection": "pg"]),
        ]))
        #expect(store.byIndex("connection", "pg").count == 2)
        #expect(store.byIndex(Indexers.ownerUID, "owner-1").map(\.name) == ["a"])
        #expect(store.byIndex(Indexers.namespace, "n2").map(\.name) == ["b"])
        store.apply(.applied(object("a", namespace: "n1", rv: "2", labels: ["ferry.dev/connection": "mysql"])))
        #expect(store.byIndex("connection", "pg").map(\.name) == ["b"])
        #expect(store.byIndex("connection", "mysql").map(\.name) == ["a"])
        #expect(store.byIndex(Indexers.ownerUID, "owner-1").isEmpty)
        store.apply(.deleted(object("b", namespace: "n2")))
        #expect(store.byIndex("connection", "pg").isEmpty)
        #expect(store.indexValues("connection") == ["mysql"])
    }

    @Test func transformStoresATrimmedProjection() {
        let store = ObjectStore(transform: ObjectStore.metadataOnly)
        store.apply(.applied(object("a")))
        let cached = store.get(namespace: "default", name: "a")
        #expect(cached?["data"] == .null)
        #expect(cached?.resourceVersion == "1")
    }

    @Test func readersCanAwaitTheFirstSync() async {
        let store = ObjectStore()
        async let synced: Void = store.waitUntilSynced()
        #expect(!store.isSynced)
        store.apply(.restarted([]))
        await synced
        #expect(store.isSynced)
    }
}
