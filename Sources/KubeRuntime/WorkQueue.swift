/// The work queue a controller's workers pull keys from: `WorkQueueCore` behind a lock,
/// rate-limited and delayed adds on an injected clock, and controller-runtime's metrics.
import Synchronization

/// A rate-limited, de-duplicating queue of keys.
///
/// Guarantees: a key is never handed to two workers at once; a key added while being
/// processed is handed out again after `done`; `get` returns nil only after `shutDown`
/// once no key is left ready.
/// Caveats: delayed keys still waiting at shutdown are dropped (like client-go).
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var core = WorkQueueCore<Key>()
        var limiter: any WorkQueueRateLimiter<Key>
    }
    public let name: String
    private let state: Mutex<State>
    private let changed = ChangeSignal()
    private let clock: any RuntimeClock
    private let metrics: MetricsRegistry?

    public init(
        name: String, clock: any RuntimeClock = SystemClock(),
        rateLimiter: any WorkQueueRateLimiter<Key> = DefaultControllerRateLimiter<Key>(), metrics: MetricsRegistry? = nil
    ) {
        self.name = name
        self.clock = clock
        self.metrics = metrics
        self.state = Mutex(State(limiter: rateLimiter))
        if let metrics {
            Self.describeMetrics(metrics)
            let labels = ["name": name]
            metrics.set("workqueue_depth", labels, to: 0)
            metrics.increment("workqueue_adds_total", labels, by: 0)
            metrics.increment("workqueue_retries_total", labels, by: 0)
            // Unfinished work is a function of "now", so it is computed at scrape time.
            metrics.addCollector { [weak self] in self?.updateUnfinishedWork() }
        }
    }

    static func describeMetrics(_ m: MetricsRegistry) {
        m.describe("workqueue_depth", kind: .gauge, help: "Current depth of workqueue")
        m.describe("workqueue_adds_total", kind: .counter, help: "Total number of adds handled by workqueue")
        m.describe("workqueue_queue_duration_seconds", kind: .histogram, help: "How long in seconds an item stays in workqueue before being requested", buckets: MetricsRegistry.workQueueBuckets)
        m.describe("workqueue_work_duration_seconds", kind: .histogram, help: "How long in seconds processing an item from workqueue takes.", buckets: MetricsRegistry.workQueueBuckets)
        m.describe("workqueue_retries_total", kind: .counter, help: "Total number of retries handled by workqueue")
        m.describe("workqueue_unfinished_work_seconds", kind: .gauge, help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.")
        m.describe("workqueue_longest_running_processor_seconds", kind: .gauge, help: "How many seconds has the longest running processor for workqueue been running.")
    }

    private var labels: [String: String] { ["name": name] }

    public func add(_ key: Key) {
        let (added, depth) = state.withLock { s in (s.core.add(key, now: clock.now), s.core.depth) }
        if added {
            metrics?.increment("workqueue_adds_total", labels)
            metrics?.set("workqueue_depth", labels, to: Double(depth))
            changed.signal()
        }
    }

    /// Adds `key` after `delay`.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        state.withLock { s in s.core.add(key, after: delay, now: clock.now) }
        changed.signal()  // a getter may need to wait for an earlier deadline now
    }

    /// Adds `key` after the rate limiter's delay for it (a retry).
    public func addRateLimited(_ key: Key) {
        let delay = state.withLock { s in s.limiter.when(key, now: clock.now) }
        metrics?.increment("workqueue_retries_total", labels)
        add(key, after: delay)
    }

    /// Resets `key`'s backoff (after a success).
    public func forget(_ key: Key) {
        state.withLock { s in s.limiter.forget(key) }
    }

    public func numRequeues(_ key: Key) -> Int {
        state.withLock { $0.limiter.numRequeues(key) }
    }

    public var depth: Int { state.withLock { $0.core.depth } }
    public var waitingCount: Int { state.withLock { $0.core.waitingCount } }
    public var processingCount: Int { state.withLock { $0.core.processingCount } }
    public var isShuttingDown: Bool { state.withLock { $0.core.shuttingDown } }

    /// Waits for the next key to process; nil once shut down and nothing is ready.
    /// The caller must call `done(key)` when finished with it.
    public func get() async -> Key? {
        while true {
            let seen = changed.generation
            let now = clock.now
            let (item, deadline, stop, depth) = state.withLock { s in
                let item = s.core.pop(now: now)
                return (item, s.core.nextDeadline(), s.core.shuttingDown, s.core.depth)
            }
            if let item {
                metrics?.set("workqueue_depth", labels, to: Double(depth))
                metrics?.observe("workqueue_queue_duration_seconds", labels, item.waited.seconds)
                return item.key
            }
            if stop || Task.isCancelled { return nil }
            await changed.wait(after: seen, until: deadline, clock: clock)
        }
    }

    public func done(_ key: Key) {
        let (worked, requeued) = state.withLock { s in
            let depth = s.core.depth
            let worked = s.core.done(key, now: clock.now)
            return (worked, s.core.depth > depth)
        }
        if let worked { metrics?.observe("workqueue_work_duration_seconds", labels, worked.seconds) }
        if requeued { metrics?.set("workqueue_depth", labels, to: Double(depth)) }
        // Wakes getters (a key was re-queued) and `shutDownWithDrain` (one fewer in flight).
        changed.signal()
    }

    /// Stops accepting keys and wakes every waiting `get`.
    public func shutDown() {
        state.withLock { $0.core.shutDown() }
        changed.signal()
    }

    /// Shuts down, then waits until every key handed out has been marked done.
    public func shutDownWithDrain() async {
        shutDown()
        while true {
            let seen = changed.generation
            if state.withLock({ $0.core.processingCount }) == 0 { return }
            await changed.wait(after: seen)
        }
    }

    private func updateUnfinishedWork() {
        let (longest, total) = state.withLock { $0.core.unfinishedWork(now: clock.now) }
        metrics?.set("workqueue_unfinished_work_seconds", labels, to: total.seconds)
        metrics?.set("workqueue_longest_running_processor_seconds", labels, to: longest.seconds)
    }
}
