/// Work-queue rate limiting as plain values: client-go's per-item exponential failure
/// backoff, the overall token bucket, and their combination (the larger delay wins).
import KubeClient

/// Decides how long a key waits before it is retried. Values, not actors: the work queue
/// holds one inside its lock and passes the current monotonic time in.
public protocol WorkQueueRateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable
    /// The delay before `key` may be processed again; counts one more failure.
    mutating func when(_ key: Key, now: Duration) -> Duration
    /// Resets the failure count of `key` (after a success).
    mutating func forget(_ key: Key)
    /// How many times `key` has been rate-limited since it was last forgotten.
    func numRequeues(_ key: Key) -> Int
}

/// `ItemExponentialFailureRateLimiter`: `base * 2^failures`, where `failures` counts the
/// calls before this one (5 ms, 10 ms, 20 ms, …), capped at `maxDelay`.
public struct ItemExponentialBackoff<Key: Hashable & Sendable>: WorkQueueRateLimiter {
    public var baseDelay: Duration
    public var maxDelay: Duration
    private var failures: [Key: Int] = [:]

    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000)) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public mutating func when(_ key: Key, now: Duration) -> Duration {
        let exp = failures[key, default: 0]
        failures[key] = exp + 1
        // Float math like client-go, so a huge exponent saturates at the cap instead of overflowing.
        let seconds = baseDelay.seconds * pow2(exp)
        if !seconds.isFinite || seconds >= maxDelay.seconds { return maxDelay }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    public mutating func forget(_ key: Key) { failures.removeValue(forKey: key) }
    public func numRequeues(_ key: Key) -> Int { failures[key, default: 0] }

    private func pow2(_ e: Int) -> Double {
        guard e < 1100 else { return .infinity }
        var v = 1.0
        for _ in 0..<e { v *= 2 }
        return v
    }
}

/// The overall token bucket (`BucketRateLimiter`): bounds retries across all keys.
public struct BucketRateLimiter<Key: Hashable & Sendable>: WorkQueueRateLimiter {
    private var bucket: TokenBucket

    public init(qps: Double = 10, burst: Int = 100) {
        bucket = TokenBucket(qps: qps, burst: burst)
    }

    public mutating func when(_ key: Key, now: Duration) -> Duration { bucket.reserve(now: now) }
    public mutating func forget(_ key: Key) {}
    public func numRequeues(_ key: Key) -> Int { 0 }
}

/// client-go's `DefaultTypedControllerRateLimiter`: `MaxOf(ItemExponentialFailure(5ms, 1000s),
/// Bucket(10 qps, 100 burst))`.
public struct DefaultControllerRateLimiter<Key: Hashable & Sendable>: WorkQueueRateLimiter {
    public var backoff: ItemExponentialBackoff<Key>
    public var bucket: BucketRateLimiter<Key>

    public init(
        baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000), qps: Double = 10, burst: Int = 100
    ) {
        backoff = ItemExponentialBackoff(baseDelay: baseDelay, maxDelay: maxDelay)
        bucket = BucketRateLimiter(qps: qps, burst: burst)
    }

    public mutating func when(_ key: Key, now: Duration) -> Duration {
        // Both limiters are consulted every time (as MaxOf does) so the bucket's debt accrues.
        max(backoff.when(key, now: now), bucket.when(key, now: now))
    }

    public mutating func forget(_ key: Key) { backoff.forget(key) }
    public func numRequeues(_ key: Key) -> Int { backoff.numRequeues(key) }
}
