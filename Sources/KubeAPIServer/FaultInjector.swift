/// Runtime-adjustable fault injection for reliability tests: injected 5xx and 429
/// responses, added latency, dropped watch streams and forced 410 on watch starts.
import KubeCore
import Synchronization

/// What to inject. Rates are probabilities in 0...1, drawn from a seeded generator so a
/// test with a fixed seed sees the same sequence of faults every run.
public struct FaultPlan: Sendable, Hashable {
    /// Share of requests answered with a 5xx.
    public var errorRate: Double
    /// The 5xx code used: 500 (InternalError) or 503 (ServiceUnavailable).
    public var errorCode: Int
    /// When not empty, each injected 5xx draws its code from these instead of `errorCode`
    /// (a mix of 500 and 503, as a real control plane answers under stress).
    public var errorCodes: [Int]
    /// Share of requests answered with 429 TooManyRequests.
    public var throttleRate: Double
    /// The `Retry-After` seconds sent with a 429.
    public var retryAfterSeconds: Int
    /// Delay added before every request is handled.
    public var latency: Duration
    /// The next this-many watch starts get a 410 Expired ERROR event.
    public var forcedWatchExpirations: Int
    /// Whether health and discovery endpoints are exempt (so clients can still connect).
    public var spareDiscovery: Bool
    /// Requests whose User-Agent starts with one of these get no 5xx, 429 or latency: a
    /// test's own observer or driver (kubectl) keeps working while the system under test
    /// does not. Dropped watches and forced 410s still apply to everyone.
    public var spareUserAgentPrefixes: [String]
    public var seed: UInt64

    public init(
        errorRate: Double = 0, errorCode: Int = 500, errorCodes: [Int] = [], throttleRate: Double = 0, retryAfterSeconds: Int = 1,
        latency: Duration = .zero, forcedWatchExpirations: Int = 0, spareDiscovery: Bool = true,
        spareUserAgentPrefixes: [String] = [], seed: UInt64 = 1
    ) {
        self.errorRate = errorRate
        self.errorCode = errorCode
        self.errorCodes = errorCodes
        self.throttleRate = throttleRate
        self.retryAfterSeconds = retryAfterSeconds
        self.latency = latency
        self.forcedWatchExpirations = forcedWatchExpirations
        self.spareDiscovery = spareDiscovery
        self.spareUserAgentPrefixes = spareUserAgentPrefixes
        self.seed = seed
    }
}

/// What the injector has served since the server started (not reset by `set` or `clear`),
/// so a reliability test can show that its faults really happened.
public struct FaultCounts: Sendable, Hashable, CustomStringConvertible {
    /// Injected 5xx responses by status code.
    public var errors: [Int: Int] = [:]
    /// Injected 429 responses.
    public var throttled = 0
    /// Watch starts answered with a forced 410 Expired.
    public var expiredWatches = 0
    /// `dropWatches()` calls, and the open watch streams they closed.
    public var watchDrops = 0
    public var droppedWatchStreams = 0

    public init() {}

    public var description: String {
        let codes = errors.keys.sorted().map { "\($0): \(errors[$0] ?? 0)" }.joined(separator: ", ")
        return "5xx [\(codes)], 429: \(throttled), forced 410 on watch start: \(expiredWatches), "
            + "watch drops: \(watchDrops) (\(droppedWatchStreams) streams closed)"
    }
}

/// Thread-safe holder of the current `FaultPlan`; the server consults it on every request.
public final class FaultInjector: Sendable {
    private struct State {
        var plan = FaultPlan()
        var rng = SplitMix64(seed: 1)
        var forcedExpirationsLeft = 0
        var counts = FaultCounts()
    }
    private let state = Mutex(State())
    /// Called by `dropWatches()`; set by the server to close every open watch and return how many there were.
    private let dropHandler = Mutex<(@Sendable () -> Int)?>(nil)

    init() {}

    public func set(_ faults: FaultPlan) {
        state.withLock { s in
            s.plan = faults
            s.rng = SplitMix64(seed: faults.seed)
            s.forcedExpirationsLeft = faults.forcedWatchExpirations
        }
    }

    /// Closes every open watch stream now (clients see the connection end).
    public func dropWatches() {
        let closed = dropHandler.withLock { $0 }?() ?? 0
        state.withLock { s in
            s.counts.watchDrops += 1
            s.counts.droppedWatchStreams += closed
        }
    }

    /// Arms `count` more forced 410s on watch starts without resetting the plan's random
    /// sequence (a test re-arms them periodically while its other faults keep going).
    public func forceWatchExpirations(_ count: Int) {
        state.withLock { $0.forcedExpirationsLeft += max(0, count) }
    }

    /// The faults served so far.
    public func counts() -> FaultCounts {
        state.withLock { $0.counts }
    }

    public func clear() { set(FaultPlan()) }

    func setDropHandler(_ handler: @escaping @Sendable () -> Int) {
        dropHandler.withLock { $0 = handler }
    }

    /// The fault for one request, if any: an error to answer with, and the latency to add first.
    func decide(isDiscovery: Bool, userAgent: String? = nil) -> (latency: Duration, error: APIError?) {
        state.withLock { s in
            let plan = s.plan
            if isDiscovery && plan.spareDiscovery { return (plan.latency, nil) }
            if let userAgent, plan.spareUserAgentPrefixes.contains(where: { userAgent.hasPrefix($0) }) { return (.zero, nil) }
            if plan.errorRate > 0, s.rng.nextUnit() < plan.errorRate {
                // Draw a code only from a list, so a plan without one sees the same sequence as before.
                let code = plan.errorCodes.isEmpty ? plan.errorCode : plan.errorCodes[Int(s.rng.next() % UInt64(plan.errorCodes.count))]
                let err = code == 503
                    ? APIError(code: 503, reason: .serviceUnavailable, message: "the server is currently unable to handle the request (injected fault)")
                    : APIError(code: code, reason: .internalError, message: "Internal error occurred: injected fault",
                               details: StatusDetails(causes: [StatusCause(reason: "", message: "injected fault")]))
                s.counts.errors[code, default: 0] += 1
                return (plan.latency, err)
            }
            if plan.throttleRate > 0, s.rng.nextUnit() < plan.throttleRate {
                var err = APIError(code: 429, reason: .tooManyRequests, message: "Too many requests, please try again later.",
                                   details: StatusDetails(retryAfterSeconds: plan.retryAfterSeconds))
                err.headers = [("Retry-After", String(plan.retryAfterSeconds))]
                s.counts.throttled += 1
                return (plan.latency, err)
            }
            return (plan.latency, nil)
        }
    }

    /// Whether this watch start must be answered with 410 (consumes one forced expiration).
    func takeForcedWatchExpiration() -> Bool {
        state.withLock { s in
            guard s.forcedExpirationsLeft > 0 else { return false }
            s.forcedExpirationsLeft -= 1
            s.counts.expiredWatches += 1
            return true
        }
    }
}
