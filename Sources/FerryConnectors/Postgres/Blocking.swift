/// Runs async work to completion from synchronous connector code (which reads stdin with
/// blocking reads). Call it only from a thread outside Swift's cooperative pool (the
/// `ferry connector` main thread, or a dedicated thread): it blocks the calling thread.
import Dispatch
import Synchronization

private final class BlockingOutcome<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
}

func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let outcome = BlockingOutcome<T>()
    Task.detached {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        outcome.result.withLock { $0 = result }
        outcome.done.signal()
    }
    outcome.done.wait()
    guard let result = outcome.result.withLock({ $0 }) else {
        preconditionFailure("runBlocking: the task signalled without a result")
    }
    return try result.get()
}
