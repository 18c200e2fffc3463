/// Airbyte's progress-aware retry policy over attempt histories.
import Testing
import FerryAPI
@testable import FerryControllers

/// `c` = a failed attempt that committed nothing, `p` = one that committed records.
private func history(_ pattern: String) -> [SyncAttempt] {
    pattern.enumerated().map { i, ch in
        SyncAttempt(number: Int32(i + 1), phase: .failed, recordsCommitted: ch == "p" ? 10 : 0)
    }
}

@Suite struct AttemptRetryPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var history: String
        var policy: RetryPolicy
        var expected: RetryDecision
        var testDescription: String { "\(history) → \(expected)" }
    }

    static let defaults = RetryPolicy()
    static let cases: [Case] = [
        // Backoff after complete failures: 10 s, 30 s, 90 s, 270 s (factor 3).
        Case(history: "c", policy: defaults, expected: .retry(number: 2, delaySeconds: 10)),
        Case(history: "cc", policy: defaults, expected: .retry(number: 3, delaySeconds: 30)),
        Case(history: "ccc", policy: defaults, expected: .retry(number: 4, delaySeconds: 90)),
        Case(history: "cccc", policy: defaults, expected: .retry(number: 5, delaySeconds: 270)),
        // Five complete failures in a row: give up (maxSuccessiveFailures 5).
        Case(history: "ccccc", policy: defaults, expected: .giveUp(reason: "MaxSuccessiveFailures", message: "5 attempts in a row committed nothing (retry.maxSuccessiveFailures is 5)")),
        // An attempt with progress retries at once and resets the successive count.
        Case(history: "p", policy: defaults, expected: .retry(number: 2, delaySeconds: 0)),
        Case(history: "ccccp", policy: defaults, expected: .retry(number: 6, delaySeconds: 0)),
        Case(history: "ccccpc", policy: defaults, expected: .retry(number: 7, delaySeconds: 10)),
        // Ten complete failures in total, never five in a row: give up on the total.
        Case(history: "ccccpccccpc", policy: defaults, expected: .retry(number: 12, delaySeconds: 10)),
        Case(history: "ccccpccccpcc", policy: defaults, expected: .giveUp(reason: "MaxTotalFailures", message: "10 attempts committed nothing (retry.maxTotalFailures is 10)")),
        Case(history: "ccccpccccp", policy: defaults, expected: .retry(number: 11, delaySeconds: 0)),
        // Twenty attempts with progress: give up (maxAttemptsWithProgress 20).
        Case(history: String(repeating: "p", count: 19), policy: defaults, expected: .retry(number: 20, delaySeconds: 0)),
        Case(history: String(repeating: "p", count: 20), policy: defaults, expected: .giveUp(reason: "MaxAttemptsWithProgress", message: "20 failed attempts committed records but none finished (retry.maxAttemptsWithProgress is 20)")),
        // Custom limits and backoff.
        Case(history: "c", policy: RetryPolicy(maxSuccessiveFailures: 1), expected: .giveUp(reason: "MaxSuccessiveFailures", message: "1 attempts in a row committed nothing (retry.maxSuccessiveFailures is 1)")),
        Case(history: "cc", policy: RetryPolicy(backoff: Backoff(initialSeconds: 5, factor: 2, maxSeconds: 60)), expected: .retry(number: 3, delaySeconds: 10)),
        Case(history: "cccc", policy: RetryPolicy(backoff: Backoff(initialSeconds: 5, factor: 10, maxSeconds: 60)), expected: .retry(number: 5, delaySeconds: 60)),
        Case(history: "pp", policy: RetryPolicy(maxAttemptsWithProgress: 2), expected: .giveUp(reason: "MaxAttemptsWithProgress", message: "2 failed attempts committed records but none finished (retry.maxAttemptsWithProgress is 2)")),
        Case(history: "ccc", policy: RetryPolicy(maxSuccessiveFailures: 10, maxTotalFailures: 3), expected: .giveUp(reason: "MaxTotalFailures", message: "3 attempts committed nothing (retry.maxTotalFailures is 3)")),
    ]

    @Test(arguments: cases) func decision(_ c: Case) {
        #expect(c.policy.decide(after: history(c.history)) == c.expected)
    }

    @Test func successfulAndRunningAttemptsAreNotFailures() {
        let attempts = [SyncAttempt(number: 1, phase: .cancelled), SyncAttempt(number: 2, phase: .failed, recordsCommitted: 0)]
        #expect(AttemptFailureCounts(attempts: attempts) == { var c = AttemptFailureCounts(attempts: []); c.successiveComplete = 1; c.totalComplete = 1; return c }())
        // Attempts are counted in number order whatever order the status lists them in.
        let shuffled = [SyncAttempt(number: 2, phase: .failed, recordsCommitted: 5), SyncAttempt(number: 1, phase: .failed, recordsCommitted: 0)]
        #expect(AttemptFailureCounts(attempts: shuffled).successiveComplete == 0)
    }

    @Test(arguments: [(0, 0), (1, 10), (2, 30), (7, 1800), (40, 1800), (1000, 1800)])
    func backoffIsCappedAndNeverOverflows(_ n: Int, _ expected: Int64) {
        #expect(Backoff().delaySeconds(successiveCompleteFailures: n) == expected)
        #expect(Backoff(initialSeconds: 1, factor: Int32.max, maxSeconds: Int32.max).delaySeconds(successiveCompleteFailures: n) >= 0)
    }
}
