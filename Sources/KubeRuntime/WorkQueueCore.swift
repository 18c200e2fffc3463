/// The work queue's bookkeeping as a value with no I/O: the FIFO of ready keys, the dirty
/// and processing sets that keep one key out of two workers, and the delayed-add heap.

/// client-go `workqueue.Typed` + `delayingType` semantics:
/// - a key is queued at most once (`dirty`);
/// - a key being processed that is added again is only marked dirty, and goes back in
///   the queue when its worker calls `done` — so no key is ever processed twice at once;
/// - delayed adds keep only the earliest ready time per key.
public struct WorkQueueCore<Key: Hashable & Sendable>: Sendable {
    private var queue: [Key] = []
    private var head = 0
    private(set) var dirty: Set<Key> = []
    private(set) var processing: [Key: Duration] = [:]
    /// When each dirty key was added, for `workqueue_queue_duration_seconds`.
    private var addedAt: [Key: Duration] = [:]
    private var waiting: [Key: Duration] = [:]
    private var heap = DeadlineHeap<Key>()
    public private(set) var shuttingDown = false

    public init() {}

    /// Keys ready to be handed out.
    public var depth: Int { queue.count - head }
    /// Keys waiting for a delayed add.
    public var waitingCount: Int { waiting.count }
    public var processingCount: Int { processing.count }
    public func isProcessing(_ key: Key) -> Bool { processing[key] != nil }

    /// Adds `key` now. Returns whether the add was counted (not a duplicate, not shut down).
    @discardableResult
    public mutating func add(_ key: Key, now: Duration) -> Bool {
        guard !shuttingDown, !dirty.contains(key) else { return false }
        dirty.insert(key)
        addedAt[key] = now
        if processing[key] == nil { queue.append(key) }
        return true
    }

    /// Adds `key` once `delay` has passed; a non-positive delay adds it now.
    public mutating func add(_ key: Key, after delay: Duration, now: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else {
            add(key, now: now)
            return
        }
        let readyAt = now + delay
        if let existing = waiting[key], existing <= readyAt { return }
        waiting[key] = readyAt
        heap.push(readyAt, key)
    }

    /// The earliest time a delayed key becomes ready.
    public mutating func nextDeadline() -> Duration? {
        while let top = heap.peek() {
            if waiting[top.key] == top.deadline { return top.deadline }
            _ = heap.pop()  // superseded by an earlier deadline or already promoted
        }
        return nil
    }

    /// Moves every delayed key whose time has come into the queue.
    public mutating func promoteDue(now: Duration) {
        while let deadline = nextDeadline(), deadline <= now, let top = heap.pop() {
            waiting.removeValue(forKey: top.key)
            add(top.key, now: now)
        }
    }

    /// Hands out the next ready key, marking it processing. Returns how long it waited.
    public mutating func pop(now: Duration) -> (key: Key, waited: Duration)? {
        promoteDue(now: now)
        guard head < queue.count else { return nil }
        let key = queue[head]
        head += 1
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        dirty.remove(key)
        processing[key] = now
        let waited = addedAt.removeValue(forKey: key).map { now - $0 } ?? .zero
        return (key, waited)
    }

    /// Marks `key` finished; re-queues it if it was added while processing. Returns how long it was processed.
    @discardableResult
    public mutating func done(_ key: Key, now: Duration) -> Duration? {
        guard let started = processing.removeValue(forKey: key) else { return nil }
        if dirty.contains(key) { queue.append(key) }
        return now - started
    }

    /// Stops accepting adds; queued keys are still handed out, delayed keys are dropped.
    public mutating func shutDown() {
        shuttingDown = true
        waiting.removeAll()
        heap = DeadlineHeap()
    }

    /// Time the longest-running key has been processed, and the sum over all running keys.
    public func unfinishedWork(now: Duration) -> (longest: Duration, total: Duration) {
        var longest = Duration.zero
        var total = Duration.zero
        for started in processing.values {
            let d = now - started
            total += d
            if d > longest { longest = d }
        }
        return (longest, total)
    }
}

/// A binary min-heap of (deadline, key), ties broken by insertion order.
struct DeadlineHeap<Key: Sendable>: Sendable {
    struct Entry: Sendable {
        var deadline: Duration
        var sequence: UInt64
        var key: Key
    }
    private var items: [Entry] = []
    private var sequence: UInt64 = 0

    var isEmpty: Bool { items.isEmpty }
    func peek() -> Entry? { items.first }

    mutating func push(_ deadline: Duration, _ key: Key) {
        sequence += 1
        items.append(Entry(deadline: deadline, sequence: sequence, key: key))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count, less(l, m) { m = l }
            if r < items.count, less(r, m) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        (items[a].deadline, items[a].sequence) < (items[b].deadline, items[b].sequence)
    }
}
