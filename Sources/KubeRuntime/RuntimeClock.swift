/// Time for the runtime: a monotonic clock measured as elapsed time since an origin, plus
/// wall time for timestamps written to objects. Injected everywhere so tests never sleep.
import Foundation
import Synchronization

/// The clock every runtime part uses. Monotonic instants are `Duration`s since the clock's
/// origin, which keeps the state machines plain values with no clock of their own.
public protocol RuntimeClock: Sendable {
    /// Monotonic time since this clock's origin.
    var now: Duration { get }
    /// Wall time, for timestamps written to the API (renewTime, lastTransitionTime, events).
    var wallTime: Date { get }
    /// Suspends until `now >= deadline`; throws `CancellationError` when the task is cancelled.
    func sleep(until deadline: Duration) async throws
}

extension RuntimeClock {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now + duration)
    }
}

/// The real clock: `ContinuousClock` for monotonic time, `Date()` for wall time.
public struct SystemClock: RuntimeClock {
    private let origin: ContinuousClock.Instant

    public init() { origin = ContinuousClock.now }

    public var now: Duration { origin.duration(to: ContinuousClock.now) }
    public var wallTime: Date { Date() }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin.advanced(by: deadline))
    }
}

/// A clock that moves only when a test calls `advance(by:)`. Sleepers whose deadline is
/// reached are resumed by `advance`; cancelled sleepers throw `CancellationError`.
public final class ManualClock: RuntimeClock {
    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }
    private struct State {
        var now: Duration = .zero
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        /// Sleepers cancelled before their continuation was stored.
        var cancelledEarly: Set<UInt64> = []
    }
    private let state = Mutex(State())
    private let wallOrigin: Date

    public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        self.wallOrigin = wallOrigin
    }

    public var now: Duration { state.withLock { $0.now } }

    public var wallTime: Date {
        let c = now.components
        return wallOrigin.addingTimeInterval(Double(c.seconds) + Double(c.attoseconds) / 1e18)
    }

    /// How many tasks are currently suspended in `sleep` (tests wait for this before advancing).
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline any sleeper waits for.
    public var nextDeadline: Duration? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public func sleep(until deadline: Duration) async throws {
        try Task.checkCancellation()
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, any Error>? = state.withLock { s in
                    if s.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: c)
                    return nil
                }
                if let outcome { c.resume(with: outcome) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                if let sl = s.sleepers.removeValue(forKey: id) { return sl }
                s.cancelledEarly.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has been reached.
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now += duration
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers.removeValue(forKey: id) }
            return Array(ready.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Advances exactly to the earliest sleeper's deadline, if any.
    public func advanceToNextDeadline() {
        guard let next = nextDeadline else { return }
        let delta = next - now
        advance(by: delta > .zero ? delta : .zero)
    }
}

/// A wake-up signal: waiters remember the generation they saw and return once it changes,
/// so a signal sent between "checked the state" and "started waiting" is never lost.
final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var cancelledEarly: Set<UInt64> = []
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    func signal() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            return w
        }
        for w in waiters { w.resume() }
    }

    /// Returns when the generation differs from `seen`, or when the task is cancelled.
    func wait(after seen: UInt64) async {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.cancelledEarly.remove(id) != nil || s.generation != seen { return true }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                if let w = s.waiters.removeValue(forKey: id) { return w }
                s.cancelledEarly.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    /// Waits for a change or until `deadline` on `clock`, whichever comes first.
    func wait(after seen: UInt64, until deadline: Duration?, clock: any RuntimeClock) async {
        guard let deadline else {
            await wait(after: seen)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: seen) }
            group.addTask { try? await clock.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }
}
