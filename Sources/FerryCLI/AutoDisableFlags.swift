/// When the operator suspends a failing Connection (Airbyte's auto-disable), shared by
/// `ferry operator` and `ferry dev` so both spell and default the flags alike.
import ArgumentParser
import FerryControllers

struct AutoDisableFlags: ParsableArguments {
    @Option(name: .customLong("auto-disable-consecutive-failures"),
            help: "Suspend a Connection after this many failed Syncs in a row (0: never).")
    var consecutiveFailures = ConnectionControllerOptions.defaultAutoDisableConsecutiveFailures

    @Option(name: .customLong("auto-disable-failing-days"),
            help: "Suspend a Connection whose Syncs have all failed for this many days (0: never).")
    var failingDays = ConnectionControllerOptions.defaultAutoDisableFailingDays

    func options() throws -> ConnectionControllerOptions {
        guard consecutiveFailures >= 0 else { throw ValidationError("\(ConnectionControllerOptions.Flag.autoDisableConsecutiveFailures) must be 0 or more, got \(consecutiveFailures)") }
        guard failingDays >= 0 else { throw ValidationError("\(ConnectionControllerOptions.Flag.autoDisableFailingDays) must be 0 or more, got \(failingDays)") }
        return ConnectionControllerOptions(autoDisableConsecutiveFailures: consecutiveFailures, autoDisableFailingDays: failingDays)
    }
}
