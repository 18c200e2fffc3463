/// Waiting for SIGINT / SIGTERM so long-running commands shut down gracefully.
import Dispatch
import Foundation

func waitForTerminationSignal() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = SignalOnce(continuation)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { once.fire() }
            source.resume()
            once.retain(source)
        }
    }
}

/// Resumes the continuation exactly once, whichever signal comes first.
private final class SignalOnce: Sendable {
    private let state: Mutex<(continuation: CheckedContinuation<Void, Never>?, sources: [any DispatchSourceSignal])>
    init(_ c: CheckedContinuation<Void, Never>) { state = Mutex((c, [])) }
    func retain(_ s: any DispatchSourceSignal) { state.withLock { $0.sources.append(s) } }
    func fire() {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.continuation = nil }
            return s.continuation
        }
        c?.resume()
    }
}

import Synchronization
