/// When to retry a failed request and how long to wait: pure logic, no I/O, no clock.
import KubeCore

/// Retries 429 and 500/502/503/504 for idempotent requests (and any request answered 429
/// with `Retry-After`, which the server did not process), and transport errors on GET.
/// Waits `Retry-After` when given, else backs off exponentially. client-go allows 10 attempts.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// Upper bound on a server-supplied Retry-After, so a bad header cannot park a client for hours.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 10, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(10), maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// What happened to one attempt.
    public enum Outcome: Sendable, Hashable {
        /// An HTTP answer; `retryAfterSeconds` from the `Retry-After` header or the Status details.
        case response(code: Int, retryAfterSeconds: Int?)
        /// The connection failed or broke before a response arrived.
        case transportError
    }

    public static let retriedServerErrors: Set<Int> = [500, 502, 503, 504]

    /// The wait before the next attempt, or nil when the failure is final.
    /// `attempt` is the 1-based number of the attempt that just failed.
    public func delay(method: HTTPMethod, attempt: Int, outcome: Outcome) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let idempotent = APIRequest(method: method, path: "/").isIdempotent
        switch outcome {
        case .transportError:
            return method == .GET ? backoff(attempt: attempt) : nil
        case .response(let code, let retryAfter):
            if code == 429, let retryAfter {
                return min(.seconds(max(retryAfter, 0)), maxRetryAfter)
            }
            guard idempotent, code == 429 || Self.retriedServerErrors.contains(code) else { return nil }
            if let retryAfter { return min(.seconds(max(retryAfter, 0)), maxRetryAfter) }
            return backoff(attempt: attempt)
        }
    }

    /// `initialBackoff * 2^(attempt-1)`, capped at `maxBackoff`.
    public func backoff(attempt: Int) -> Duration {
        var d = initialBackoff
        for _ in 1..<max(attempt, 1) {
            d = d * 2
            if d >= maxBackoff { return maxBackoff }
        }
        return min(d, maxBackoff)
    }
}
