/// What the splice path does with the bytes waiting in its scratch pipe, decided line
/// by line and carried out once per read: a sequence of steps in stream order, each
/// forwarding or discarding the next bytes of the scratch pipe, or inserting bytes of
/// its own (rewritten lines). A pure value, so the order it produces is tested without
/// pipes.

struct SplicePlan: Equatable {
    enum Step: Equatable {
        /// Move the scratch pipe's next `count` bytes to the destination.
        case forward(Int)
        /// Drop the scratch pipe's next `count` bytes.
        case discard(Int)
        /// Write these bytes of `inserted` to the destination.
        case insert(Range<Int>)
    }

    private(set) var steps: [Step] = []
    /// The bytes of every `insert` step, one after another.
    private(set) var inserted: [UInt8] = []
    /// The stream offset of the scratch pipe's first byte, where the steps begin.
    private(set) var start: Int
    /// The stream offset up to which the steps decide; the scratch pipe's bytes from
    /// here on wait for the next read's lines.
    private(set) var decided: Int

    init(start: Int = 0) {
        self.start = start
        decided = start
    }

    /// Forwards the stream's bytes in `range`; those between the last decision and
    /// `range` are discarded. Ranges come in stream order.
    mutating func forward(_ range: Range<Int>) {
        precondition(range.lowerBound >= decided, "forwarded ranges come in stream order")
        discard(upTo: range.lowerBound)
        guard !range.isEmpty else { return }
        if case .forward(let count)? = steps.last { steps[steps.count - 1] = .forward(count + range.count) } else { steps.append(.forward(range.count)) }
        decided = range.upperBound
    }

    /// Discards the undecided bytes before stream offset `offset`.
    mutating func discard(upTo offset: Int) {
        guard offset > decided else { return }
        let count = offset - decided
        if case .discard(let before)? = steps.last { steps[steps.count - 1] = .discard(before + count) } else { steps.append(.discard(count)) }
        decided = offset
    }

    /// Writes `bytes` to the destination after everything decided so far.
    mutating func insert(_ bytes: some Sequence<UInt8>) {
        let from = inserted.count
        inserted.append(contentsOf: bytes)
        guard inserted.count > from else { return }
        if case .insert(let before)? = steps.last, before.upperBound == from {
            steps[steps.count - 1] = .insert(before.lowerBound..<inserted.count)
        } else {
            steps.append(.insert(from..<inserted.count))
        }
    }

    /// Forgets the steps once carried out: the scratch pipe now starts at `decided`.
    mutating func removeAll() {
        steps.removeAll(keepingCapacity: true)
        inserted.removeAll(keepingCapacity: true)
        start = decided
    }

    /// Starts over at stream offset `offset` (the scratch pipe was emptied and refilled).
    mutating func restart(at offset: Int) {
        removeAll()
        start = offset
        decided = offset
    }
}
