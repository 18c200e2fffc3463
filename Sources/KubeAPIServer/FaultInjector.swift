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
    public var seed: UInt64

    public init(
        errorRate: Double = 0, errorCode: Int = 500, throttleRate: Double = 0, retryAfterSeconds: Int = 1,
        latency: Duration = .zero, forcedWatchExpirations: Int = 0, spareDiscovery: Bool = true, seed: UInt64 = 1
    ) {
        self.errorRate = errorRate
        self.errorCode = errorCode
        self.throttleRate = throttleRate
        self.retryAfterSeconds = retryAfterSeconds
        self.latency = latency
        self.forcedWatchExpirations = forcedWatchExpirations
        self.spareDiscovery = spareDiscovery
        self.seed = seed
    }
}

/// Thread-safe holder of the current `FaultPlan`; the server consults it on every request.
public final class FaultInjector: Sendable {
    private struct State {
        var plan = FaultPlan()
        var rng = SplitMix64(seed: 1)
        var forcedExpirationsLeft = 0
    }
    private let state = Mutex(State())
    /// Called by `dropWatches()`; set by the server to close every open watch.
    private let dropHandler = Mutex<(@Sendable () -> Void)?>(nil)

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
        dropHandler.withLock { $0 }?()
    }

    public func clear() { set(FaultPlan()) }

    func setDropHandler(_ handler: @escaping @Sendable () -> Void) {
        dropHandler.withLock { $0 = handler }
    }

    /// The fault for one request, if any: an error to answer with, and the latency to add first.
    func decide(isDiscovery: Bool) -> (latency: Duration, error: APIError?) {
        state.withLock { s in
            let plan = s.plan
            if isDiscovery && plan.spareDiscovery { return (plan.latency, nil) }
            if plan.errorRate > 0, s.rng.nextUnit() < plan.errorRate {
                let err = plan.errorCode == 503
                    ? APIError(code: 503, reason: .serviceUnavailable, message: "the server is currently unable to handle the request (injected fault)")
                    : APIError(code: plan.errorCode, reason: .internalError, message: "Internal error occurred: injected fault",
                               details: StatusDetails(causes: [StatusCause(reason: "", message: "injected fault")]))
                return (plan.latency, err)
            }
            if plan.throttleRate > 0, s.rng.nextUnit() < plan.throttleRate {
                var err = APIError(code: 429, reason: .tooManyRequests, message: "Too many requests, please try again later.",
                                   details: StatusDetails(retryAfterSeconds: plan.retryAfterSeconds))
                err.headers = [("Retry-After", String(plan.retryAfterSeconds))]
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
            return true
        }
    }
}
