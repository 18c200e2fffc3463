/// How long the agent's retry loops wait after a failed request. Like the kubelet, the
/// agent never gives up on the API server while it runs: an error now (a 5xx, a timeout,
/// a server restarting) says nothing about the next attempt, so every loop retries with an
/// exponential backoff until it succeeds, its object is gone, or the agent stops.
import Foundation

struct AgentBackoff: Sendable, Hashable {
    var initial: Duration
    var cap: Duration

    /// The wait after `failures` consecutive failures (1 after the first):
    /// `initial * 2^(failures-1)`, capped at `cap`.
    func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(failures, 1) {
            if delay >= cap { break }
            delay = delay * 2
        }
        return min(delay, cap)
    }

    /// Node registration, as the kubelet's `registerWithAPIServer`: 100 ms doubling to 7 s.
    static let nodeRegistration = AgentBackoff(initial: .milliseconds(100), cap: .seconds(7))
    /// A failed `pods/binding`, as the scheduler requeues an unschedulable pod: 1 s doubling
    /// to 30 s.
    static let podBinding = AgentBackoff(initial: .seconds(1), cap: .seconds(30))
    /// A failed pod status report; capped at the kubelet's status sync period (10 s), the
    /// longest a kubelet leaves an unsent status.
    static let podStatus = AgentBackoff(initial: .milliseconds(200), cap: .seconds(10))
}
