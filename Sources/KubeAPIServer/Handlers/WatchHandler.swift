/// Watch: start from a resourceVersion (history replay), from ""/"0" (synthetic ADDED),
/// or with `sendInitialEvents`; selectors applied per event with ADDED/DELETED on
/// (un)matching transitions; bookmarks, timeouts, 410 as an ERROR event.
import KubeCore
import KubeMachinery

/// Turns stored events into the watch events one client should see.
struct WatchEncoder: Sendable {
    var resource: ServedResource
    var filter: ObjectFilter
    var format: OutputFormat
    var name: String?

    func present(_ o: JSONValue) -> JSONValue {
        var o = o
        o["apiVersion"] = .string(resource.type.apiVersion)
        o["kind"] = .string(resource.type.kind)
        if format.table {
            return Tables.table(for: [o], resource: resource, includeObject: format.includeObject, resourceVersion: nil, continueToken: nil)
        }
        return o
    }

    func matches(_ o: JSONValue) -> Bool { (name == nil || o.name == name) && filter.matches(o) }

    func events(for e: StoredEvent) -> WatchEvent? {
        switch e.type {
        case .added:
            return matches(e.object) ? WatchEvent(type: .added, object: present(e.object)) : nil
        case .deleted:
            return matches(e.object) ? WatchEvent(type: .deleted, object: present(e.object)) : nil
        default:
            let now = matches(e.object)
            let before = e.previous.map(matches) ?? now
            switch (before, now) {
            case (true, true): return WatchEvent(type: .modified, object: present(e.object))
            case (false, true): return WatchEvent(type: .added, object: present(e.object))
            case (true, false): return WatchEvent(type: .deleted, object: present(e.object))
            case (false, false): return nil
            }
        }
    }

    func bookmark(_ rv: Int64, initialEventsEnd: Bool = false) -> WatchEvent {
        var meta: JSONValue = ["resourceVersion": .string(String(rv)), "creationTimestamp": nil]
        meta.setKeepingNull("creationTimestamp", .null)
        if initialEventsEnd { meta["annotations"] = [WatchEvent.initialEventsEndAnnotation: "true"] }
        return WatchEvent(type: .bookmark, object: [
            "kind": .string(resource.type.kind), "apiVersion": .string(resource.type.apiVersion), "metadata": meta,
        ])
    }

    static func line(_ event: WatchEvent) -> [UInt8] { event.json.serializedBytes() + [0x0A] }
}

extension APIHandler {
    func startWatch(_ request: ServerRequest, _ r: ServedResource, namespace: String?, format: OutputFormat,
                    name: String? = nil) throws(APIError) -> ServerResponse {
        var filter = try ObjectFilter(request, r)
        _ = filter.isEverything
        var fieldName = name
        if let n = filter.fields.requiredValue(for: "metadata.name"), fieldName == nil { fieldName = n }
        filter.resource = r
        let encoder = WatchEncoder(resource: r, filter: filter, format: format, name: name)
        let requestedRV = try parseResourceVersion(request.queryValue("resourceVersion"))
        let bookmarks = request.queryBool("allowWatchBookmarks")
        let sendInitial = request.queryValue("sendInitialEvents").map { $0 == "true" }
        let match = request.queryValue("resourceVersionMatch")
        if sendInitial != nil && match != "NotOlderThan" {
            throw .invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", [
                FieldError(.forbidden, path: "sendInitialEvents", detail: "sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan")])
        }
        if sendInitial == nil && match != nil {
            throw .invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", [
                FieldError(.forbidden, path: "resourceVersionMatch", detail: "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")])
        }
        let timeoutSeconds = request.queryValue("timeoutSeconds").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 1800
        let forcedExpiry = faults.takeForcedWatchExpiration()

        enum Start { case failed(APIError); case watching(Int, AsyncStream<WatchItem>) }
        let start: Start = store.withState { s in
            let current = s.resourceVersion
            if forcedExpiry { return .failed(.tooOld(requested: requestedRV ?? current, oldest: current)) }
            var first: [WatchItem] = []
            let wantsInitial = sendInitial ?? (requestedRV == nil || requestedRV == 0)
            if let rv = requestedRV, rv > current { return .failed(.tooLargeResourceVersion(requested: rv, current: current)) }
            if wantsInitial {
                first.append(.initial(s.list(r.storageKey, namespace: namespace).map(\.1), rv: current))
            } else if let rv = requestedRV {
                if rv < s.compactedRV { return .failed(.tooOld(requested: rv, oldest: s.compactedRV + 1)) }
                first.append(.replay(s.history.events(after: rv, storageKey: r.storageKey, namespace: namespace)))
            }
            let (id, stream) = s.watchers.add(storageKey: r.storageKey, namespace: namespace, first: first)
            return .watching(id, stream)
        }
        let interval = configuration.bookmarkInterval
        let store = self.store
        let sendInitialEnd = sendInitial == true
        switch start {
        case .failed(let error):
            return ServerResponse(status: 200, headers: [("Content-Type", "application/json")], body: .streaming { write in
                try? await write(WatchEncoder.line(WatchEvent(type: .error, object: (try? JSONValue(encoding: error.status)) ?? .null)))
            })
        case .watching(let id, let stream):
            request.connectionClosed?.whenComplete { _ in store.withState { $0.watchers.remove(id) } }
            return ServerResponse(status: 200, headers: [("Content-Type", "application/json")], body: .streaming { write in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await Self.pump(stream, encoder: encoder, initialEventsEnd: sendInitialEnd, write: write)
                    }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(timeoutSeconds))
                    }
                    if bookmarks {
                        group.addTask {
                            while !Task.isCancelled {
                                try? await Task.sleep(for: interval)
                                store.withState { s in s.watchers.bookmark(id, rv: s.resourceVersion) }
                            }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
                store.withState { $0.watchers.remove(id) }
            })
        }
    }

    private static func pump(_ stream: AsyncStream<WatchItem>, encoder: WatchEncoder, initialEventsEnd: Bool, write: ChunkWriter) async {
        do {
            for await item in stream {
                switch item {
                case .initial(let objects, let rv):
                    var chunk: [UInt8] = []
                    for o in objects where encoder.matches(o) {
                        chunk += WatchEncoder.line(WatchEvent(type: .added, object: encoder.present(o)))
                        if chunk.count > 64 * 1024 { try await write(chunk); chunk = [] }
                    }
                    if initialEventsEnd { chunk += WatchEncoder.line(encoder.bookmark(rv, initialEventsEnd: true)) }
                    if !chunk.isEmpty { try await write(chunk) }
                case .replay(let events):
                    var chunk: [UInt8] = []
                    for e in events { if let w = encoder.events(for: e) { chunk += WatchEncoder.line(w) } }
                    if !chunk.isEmpty { try await write(chunk) }
                case .event(let e):
                    if let w = encoder.events(for: e) { try await write(WatchEncoder.line(w)) }
                case .bookmark(let rv):
                    try await write(WatchEncoder.line(encoder.bookmark(rv)))
                }
            }
        } catch {
            // The client went away; the caller removes the watcher.
        }
    }
}
