/// The pod sweeper's flags, shared by `ferry operator` and `ferry dev` so both spell and
/// default them the same way (Airbyte's pod-sweeper defaults).
import ArgumentParser
import FerryAPI
import FerryControllers

struct SweeperFlags: ParsableArguments {
    @Option(name: .customLong("sweeper-succeeded-ttl"), help: "Delete Succeeded worker pods this long after their last phase transition (Go duration; 0 keeps them).")
    var succeededTTL = "10m"

    @Option(name: .customLong("sweeper-failed-ttl"), help: "Delete Failed (and other finished) worker pods this long after their last phase transition (Go duration; 0 keeps them).")
    var failedTTL = "120m"

    @Option(name: .customLong("sweeper-orphan-check"), help: "Delete worker pods whose Sync is gone, or of a superseded attempt, at once.")
    var orphanCheck = true

    /// The pod sweeper's settings from the flags; a TTL of 0 keeps pods forever.
    func options() throws -> PodSweeperOptions {
        func ttl(_ text: String, _ flag: String) throws -> Duration? {
            guard let seconds = DurationSyntax.seconds(text) else {
                throw ValidationError("\(flag) must be a duration such as 10m or 2h, got \"\(text)\"")
            }
            return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
        }
        return PodSweeperOptions(
            succeededTTL: try ttl(succeededTTL, PodSweeperOptions.Flag.succeededTTL),
            failedTTL: try ttl(failedTTL, PodSweeperOptions.Flag.failedTTL), orphanCheck: orphanCheck)
    }
}
