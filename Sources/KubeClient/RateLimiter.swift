/// Client-side rate limiting: a token bucket (client-go's QPS / burst), pure state plus a
/// small actor that waits on an injectable clock.

/// The token bucket as a value: time is a `Duration` since an arbitrary origin, so it
/// can be tested without any clock. It starts full, refills at `qps` tokens a second up
/// to `burst`, and lets reservations run into debt: each caller is told how long to
/// wait for its token (like `golang.org/x/time/rate`'s `Reserve`).
public struct TokenBucket: Sendable, Hashable {
    public let qps: Double
    public let burst: Int
    public private(set) var tokens: Double
    public private(set) var last: Duration

    public init(qps: Double, burst: Int, now: Duration = .zero) {
        self.qps = qps
        self.burst = max(burst, 1)
        self.tokens = Double(max(burst, 1))
        self.last = now
    }

    public var isUnlimited: Bool { qps <= 0 }

    /// Takes one token at `now` and returns how long the caller must wait before using it.
    public mutating func reserve(now: Duration) -> Duration {
        guard !isUnlimited else { return .zero }
        if now > last {
            tokens = min(Double(burst), tokens + seconds(now - last) * qps)
            last = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }

    private func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

/// Makes callers wait for a token. `C` is injectable so tests drive time by hand.
public actor RateLimiter<C: Clock> where C.Duration == Duration {
    private var bucket: TokenBucket
    private let clock: C
    private let origin: C.Instant

    public init(qps: Double, burst: Int, clock: C) {
        self.clock = clock
        self.origin = clock.now
        self.bucket = TokenBucket(qps: qps, burst: burst)
    }

    /// Reserves a token and waits until it is usable. The reservation is made before the
    /// wait, so concurrent callers queue in order instead of racing for refills.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await clock.sleep(for: wait) }
    }

    /// Reserves a token and returns the wait without sleeping.
    public func reserve() -> Duration {
        bucket.reserve(now: origin.duration(to: clock.now))
    }
}

extension RateLimiter where C == ContinuousClock {
    public init(qps: Double, burst: Int) { self.init(qps: qps, burst: burst, clock: ContinuousClock()) }
}
