/// Airbyte's progress-aware retry policy for a Sync's failed attempts, as a pure decision
/// over the attempt history.
///
/// Airbyte splits failures into complete ones (the attempt committed nothing) and partial
/// ones (it committed at least one record). Limits: successive complete failures (5),
/// total complete failures (10), total partial failures (20; Airbyte's successive-partial
/// limit of 1000 is never the binding one below it). A complete failure backs off
/// `initial × factor^(n-1)` seconds, capped at `max`, where n counts complete failures in
/// a row; a partial failure resets that count, so the next attempt starts at once.
import FerryAPI

public enum RetryDecision: Equatable, Sendable {
    /// Start attempt `number` after `delaySeconds` (0: at once).
    case retry(number: Int32, delaySeconds: Int64)
    /// No more attempts: the Sync fails with this reason and message.
    case giveUp(reason: String, message: String)
}

/// Failure counters over the finished attempts, oldest first.
public struct AttemptFailureCounts: Equatable, Sendable {
    public var successiveComplete = 0
    public var totalComplete = 0
    public var totalPartial = 0

    public init(attempts: [SyncAttempt]) {
        for attempt in attempts.sorted(by: { $0.number < $1.number }) where attempt.phase == .failed {
            if (attempt.recordsCommitted ?? 0) > 0 {
                totalPartial += 1
                successiveComplete = 0
            } else {
                totalComplete += 1
                successiveComplete += 1
            }
        }
    }
}

extension RetryPolicy {
    /// What to do after the latest attempt failed.
    public func decide(after attempts: [SyncAttempt]) -> RetryDecision {
        let counts = AttemptFailureCounts(attempts: attempts)
        let next = (attempts.map(\.number).max() ?? 0) + 1
        if counts.successiveComplete >= Int(effectiveMaxSuccessiveFailures) {
            return .giveUp(reason: "MaxSuccessiveFailures",
                           message: "\(counts.successiveComplete) attempts in a row committed nothing (retry.maxSuccessiveFailures is \(effectiveMaxSuccessiveFailures))")
        }
        if counts.totalComplete >= Int(effectiveMaxTotalFailures) {
            return .giveUp(reason: "MaxTotalFailures",
                           message: "\(counts.totalComplete) attempts committed nothing (retry.maxTotalFailures is \(effectiveMaxTotalFailures))")
        }
        if counts.totalPartial >= Int(effectiveMaxAttemptsWithProgress) {
            return .giveUp(reason: "MaxAttemptsWithProgress",
                           message: "\(counts.totalPartial) failed attempts committed records but none finished (retry.maxAttemptsWithProgress is \(effectiveMaxAttemptsWithProgress))")
        }
        return .retry(number: next, delaySeconds: (backoff ?? Backoff()).delaySeconds(successiveCompleteFailures: counts.successiveComplete))
    }
}

extension Backoff {
    /// Seconds to wait after `n` complete failures in a row: 0 when n is 0, else
    /// initial × factor^(n-1), capped at max (and never below initial).
    public func delaySeconds(successiveCompleteFailures n: Int) -> Int64 {
        guard n > 0 else { return 0 }
        let initial = Int64(max(0, effectiveInitialSeconds)), cap = Int64(max(0, effectiveMaxSeconds))
        let factor = Int64(max(1, effectiveFactor))
        var delay = initial
        for _ in 1..<n {
            // Stop multiplying once past the cap; the multiplication cannot overflow.
            if delay >= cap { break }
            delay = delay.multipliedReportingOverflow(by: factor).overflow ? cap : delay * factor
        }
        return min(max(delay, initial), max(cap, initial))
    }
}
