/// Retry policy and token-bucket rate limiting as pure logic, with time driven by hand.
import Foundation
import KubeCore
import Testing

@testable import KubeClient

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test(arguments: [
        // method, code, Retry-After, expected delay (nil = no retry)
        (HTTPMethod.GET, 503, nil as Int?, Duration.milliseconds(200) as Duration?),
        (.GET, 500, 3, .seconds(3)),
        (.PUT, 502, nil, .milliseconds(200)),
        (.DELETE, 504, nil, .milliseconds(200)),
        (.GET, 429, nil, .milliseconds(200)),
        (.POST, 429, 2, .seconds(2)),  // 429 with Retry-After was not processed: safe for any method
        (.PATCH, 429, 1, .seconds(1)),
        (.POST, 429, nil, nil),
        (.POST, 503, nil, nil),
        (.PATCH, 500, 1, nil),
        (.GET, 501, nil, nil),
        (.GET, 404, nil, nil),
        (.PUT, 409, nil, nil),
        (.GET, 429, 3600, .seconds(60)),  // capped
    ])
    func responses(_ method: HTTPMethod, _ code: Int, _ retryAfter: Int?, _ expected: Duration?) {
        #expect(policy.delay(method: method, attempt: 1, outcome: .response(code: code, retryAfterSeconds: retryAfter)) == expected)
    }

    @Test func transportErrorsRetryOnlyGET() {
        #expect(policy.delay(method: .GET, attempt: 1, outcome: .transportError) == .milliseconds(200))
        for method in [HTTPMethod.POST, .PUT, .PATCH, .DELETE] {
            #expect(policy.delay(method: method, attempt: 1, outcome: .transportError) == nil)
        }
    }

    @Test func backoffDoublesAndCaps() {
        let delays = (1...9).map { policy.backoff(attempt: $0) }
        #expect(delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .seconds(10), .seconds(10), .seconds(10)])
    }

    @Test func attemptsAreBounded() {
        #expect(policy.delay(method: .GET, attempt: 9, outcome: .response(code: 503, retryAfterSeconds: 1)) == .seconds(1))
        #expect(policy.delay(method: .GET, attempt: 10, outcome: .response(code: 503, retryAfterSeconds: 1)) == nil, "client-go stops after 10 attempts")
        #expect(RetryPolicy(maxAttempts: 1).delay(method: .GET, attempt: 1, outcome: .transportError) == nil)
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenQPS() {
        var bucket = TokenBucket(qps: 5, burst: 10)
        for _ in 0..<10 { #expect(bucket.reserve(now: .zero) == .zero) }
        #expect(bucket.reserve(now: .zero) == .milliseconds(200))
        #expect(bucket.reserve(now: .zero) == .milliseconds(400), "reservations queue behind each other")
        // 1 s later 5 tokens have refilled, 2 of which are already promised.
        #expect(bucket.reserve(now: .seconds(1)) == .zero)
        #expect(bucket.reserve(now: .seconds(1)) == .zero)
        #expect(bucket.reserve(now: .seconds(1)) == .zero)
        #expect(bucket.reserve(now: .seconds(1)) == .milliseconds(200))
    }

    @Test func refillIsCappedAtBurst() {
        var bucket = TokenBucket(qps: 100, burst: 3)
        for _ in 0..<3 { _ = bucket.reserve(now: .zero) }
        for _ in 0..<3 { #expect(bucket.reserve(now: .seconds(3600)) == .zero) }
        #expect(bucket.reserve(now: .seconds(3600)) == .milliseconds(10))
    }

    @Test func zeroQPSIsUnlimited() {
        var bucket = TokenBucket(qps: 0, burst: 0)
        for _ in 0..<1000 { #expect(bucket.reserve(now: .zero) == .zero) }
    }

    @Test func limiterWaitsOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let limiter = RateLimiter(qps: 2, burst: 1, clock: clock)
        try await limiter.acquire()  // the one burst token: no wait
        #expect(clock.sleeps.isEmpty)
        try await limiter.acquire()
        #expect(clock.sleeps == [.milliseconds(500)])
        clock.advance(.seconds(5))
        try await limiter.acquire()
        #expect(clock.sleeps == [.milliseconds(500)], "refilled after 5 s: no wait")
    }
}

/// A clock whose `sleep` returns at once, recording the requested durations and moving time forward.
final class ManualClock: Clock, @unchecked Sendable {
    // Safe: all mutable state is behind `lock`.
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var recorded: [Duration] = []

    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }
    var sleeps: [Duration] { lock.withLock { recorded } }

    func advance(_ d: Duration) { lock.withLock { current = current.advanced(by: d) } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        lock.withLock {
            recorded.append(current.duration(to: deadline))
            if deadline > current { current = deadline }
        }
    }
}
