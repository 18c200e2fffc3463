/// `ferry worker placeholder`: the process of a warm-worker placeholder pod. It holds the
/// pod's requested room and does nothing else until it is stopped (SIGTERM, e.g. when
/// the scheduler preempts it for a real worker), then exits 0.
import ArgumentParser

struct PlaceholderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placeholder",
        abstract: "Wait for SIGTERM or SIGINT and exit 0 (the container of a warm-worker placeholder pod)."
    )

    func run() async throws {
        await waitForTerminationSignal()
    }
}
