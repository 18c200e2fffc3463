/// The event recorder: Events about objects, aggregated like client-go's correlator
/// (repeats become count++ via PATCH) and written off the reconcile path.
import Foundation
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

public enum EventType: String, Sendable {
    case normal = "Normal"
    case warning = "Warning"
}

/// client-go's aggregation by identity: the same involved object, type, reason and message
/// is one Event whose count grows. Pure; the recorder asks it what to write.
public struct EventCorrelator: Sendable {
    public struct Key: Hashable, Sendable {
        public var kind: String, namespace: String, name: String, uid: String
        public var type: String, reason: String, message: String

        public init(kind: String, namespace: String, name: String, uid: String, type: String, reason: String, message: String) {
            (self.kind, self.namespace, self.name, self.uid) = (kind, namespace, name, uid)
            (self.type, self.reason, self.message) = (type, reason, message)
        }
    }
    public enum Decision: Sendable, Hashable {
        case create
        case patch(eventName: String, count: Int)
    }
    private var seen: [Key: (name: String, count: Int)] = [:]
    private var order: [Key] = []
    /// Entries remembered (client-go keeps an LRU of 4096).
    public let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = capacity }

    public func decide(_ key: Key) -> Decision {
        guard let entry = seen[key] else { return .create }
        return .patch(eventName: entry.name, count: entry.count + 1)
    }

    /// Records that `eventName` now has `count` for `key`.
    public mutating func recorded(_ key: Key, eventName: String, count: Int) {
        if seen[key] == nil {
            order.append(key)
            if order.count > capacity {
                seen.removeValue(forKey: order.removeFirst())
            }
        }
        seen[key] = (eventName, count)
    }

    public mutating func forget(_ key: Key) { seen.removeValue(forKey: key) }
}

/// Records Events for objects. `record` never waits: events go into a bounded buffer and
/// are dropped (and counted) when it is full. `run` writes them.
public final class EventRecorder: Service, Sendable {
    private struct Pending: Sendable {
        var involved: ObjectReference
        var key: EventCorrelator.Key
        /// When it happened: stamped by `record`, as client-go's recorder stamps an Event
        /// when it is made, so a slow writer does not move it later.
        var time: Date
    }
    public let component: String
    private let client: KubernetesClient
    private let clock: any RuntimeClock
    private let metrics: MetricsRegistry?
    private let logger: Logger
    private let stream: AsyncStream<Pending>
    private let continuation: AsyncStream<Pending>.Continuation
    private let correlator = Mutex(EventCorrelator())
    /// The time part of the last Event name: names are `<object>.<hex nanoseconds>` as
    /// client-go writes them, kept strictly increasing so two Events at one clock reading
    /// (a coarse or manual clock) do not collide and lose the second.
    private let lastNameNanos = Mutex<UInt64>(0)
    private let dropped = Mutex(0)

    public init(client: KubernetesClient, component: String, bufferSize: Int = 1000, clock: any RuntimeClock = SystemClock(),
                metrics: MetricsRegistry? = nil, logger: Logger = Logger(label: "ferry.events")) {
        self.client = client
        self.component = component
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: Pending.self, bufferingPolicy: .bufferingOldest(max(1, bufferSize)))
        metrics?.describe("ferry_events_dropped_total", kind: .counter, help: "Events not recorded because the recorder's buffer was full")
    }

    /// Events dropped because the buffer was full.
    public var droppedCount: Int { dropped.withLock { $0 } }

    /// Queues an Event about `object`, timestamped now, or at `time` (client-go's
    /// `PastEventf`) for something decided earlier than it is reported. Never blocks.
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String, at time: Date? = nil) {
        let ref = ObjectReference(
            apiVersion: object.apiVersion, kind: object.kind, namespace: object.namespace, name: object.name, uid: object.uid,
            resourceVersion: object.resourceVersion)
        let key = EventCorrelator.Key(
            kind: object.kind ?? "", namespace: object.namespace ?? "default", name: object.name ?? "", uid: object.uid ?? "",
            type: type.rawValue, reason: reason, message: message)
        if case .dropped = continuation.yield(Pending(involved: ref, key: key, time: time ?? clock.wallTime)) {
            dropped.withLock { $0 += 1 }
            metrics?.increment("ferry_events_dropped_total")
        }
    }

    /// Writes queued events until graceful shutdown or cancellation; on graceful shutdown
    /// the events already queued are still written.
    public func run() async {
        await withGracefulShutdownHandler {
            for await pending in stream {
                await write(pending)
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    /// Stops accepting events; `run` returns after writing those queued.
    public func finish() { continuation.finish() }

    private func write(_ pending: Pending) async {
        let key = pending.key
        let now = KubeTime.format(pending.time)
        let decision = correlator.withLock { $0.decide(key) }
        if case .patch(let name, let count) = decision {
            do {
                _ = try await client.patch(
                    .event, name: name, namespace: key.namespace, patch: ["count": .int(Int64(count)), "lastTimestamp": .string(now)], type: .merge)
                correlator.withLock { $0.recorded(key, eventName: name, count: count) }
                return
            } catch {
                // The Event expired or was deleted: start a new one.
                correlator.withLock { $0.forget(key) }
                if !error.isNotFound {
                    logger.warning("patching event failed", metadata: ["event": "\(name)", "error": "\(error)"])
                    return
                }
            }
        }
        let reading = UInt64(max(0, clock.wallTime.timeIntervalSince1970 * 1e9))
        let nanos = lastNameNanos.withLock { last in
            last = max(reading, last + 1)
            return last
        }
        let name = "\(key.name).\(String(nanos, radix: 16))"
        var event = Event(
            metadata: ObjectMeta(name: name, namespace: key.namespace), involvedObject: pending.involved, reason: key.reason, message: key.message,
            type: key.type)
        event.source = Event.EventSource(component: component)
        event.firstTimestamp = now
        event.lastTimestamp = now
        event.count = 1
        event.reportingComponent = component
        do {
            _ = try await Api<Event>(client, namespace: key.namespace).create(event)
            correlator.withLock { $0.recorded(key, eventName: name, count: 1) }
        } catch {
            logger.warning("creating event failed", metadata: ["reason": "\(key.reason)", "error": "\(error)"])
        }
    }
}
