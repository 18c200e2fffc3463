/// Measurements behind `ferry bench relay`: the byte-level classifier alone, and the
/// relay between two processes, side by side with `cat | cat` and a Python relay on
/// the same input file.
import AirbyteProtocol
import Foundation
import KubeCore

public struct RelayBenchmarkRow: Sendable {
    public var name: String
    public var seconds: Double
    public var bytes: Int
    public var messages: Int
    public var megabytesPerSecond: Double { Double(bytes) / 1e6 / max(seconds, 1e-9) }
    public var messagesPerSecond: Double { Double(messages) / max(seconds, 1e-9) }
}

public enum RelayBenchmark {
    /// Classifies every line of `lines` (one buffer, newline-separated) `rounds` times.
    public static func classifier(_ bytes: [UInt8], rounds: Int = 3) -> RelayBenchmarkRow {
        var best = Double.infinity
        var messages = 0
        for _ in 0..<rounds {
            let started = ContinuousClock.now
            var count = 0, records = 0
            bytes.withUnsafeBufferPointer { all in
                var start = 0
                while start < all.count {
                    let base = all.baseAddress! + start
                    let end = memchr(base, 0x0A, all.count - start).map { start + (UnsafeRawPointer($0) - UnsafeRawPointer(base)) } ?? all.count
                    if case .record = LineClassifier.classify(UnsafeBufferPointer(rebasing: all[start..<end]), recordData: .framing) { records += 1 }
                    count += 1
                    start = end + 1
                }
            }
            messages = count
            best = min(best, Double(started.duration(to: .now).nanoseconds) / 1e9)
            precondition(records > 0, "benchmark input has records")
        }
        return RelayBenchmarkRow(name: "classifier only (relay mode, in memory)", seconds: best, bytes: bytes.count, messages: messages)
    }

    /// Times a shell pipeline over the input file.
    public static func shell(_ name: String, _ command: String, bytes: Int, messages: Int) async throws -> RelayBenchmarkRow {
        let started = ContinuousClock.now
        let process = try ChildProcess(command: command)
        close(process.stdinFD)
        async let out: String = collectTail(of: process.stdoutFD, label: "bench-out", passThrough: false)
        async let err: String = collectTail(of: process.stderrFD, label: "bench-err", passThrough: false)
        let code = await process.waitForExit()
        _ = await (out, err)
        guard code == 0 else { throw ChildProcessError(description: "benchmark command \(command) exited with code \(code)") }
        return RelayBenchmarkRow(name: name, seconds: Double(started.duration(to: .now).nanoseconds) / 1e9, bytes: bytes, messages: messages)
    }

    /// Times the relay from `cat FILE` to a destination that discards its input.
    public static func relay(file: String, bytes: Int, messages: Int, forwarding: RelayForwarding = .splice) async throws -> (RelayBenchmarkRow, RelayResult) {
        var c = RelayConfiguration(source: .command("cat '\(file)'"), destination: .command("cat > /dev/null"))
        c.passThroughStderr = false
        c.forwarding = forwarding
        let started = ContinuousClock.now
        let result = try await Relay(configuration: c).run()
        let row = RelayBenchmarkRow(name: "cat | ferry relay | cat (\(forwarding.rawValue))", seconds: Double(started.duration(to: .now).nanoseconds) / 1e9,
                                    bytes: bytes, messages: messages)
        return (row, result)
    }

    /// Times `ferry worker relay` run as its own process (source `cat FILE`, destination
    /// `cat > /dev/null`) and reads that process's peak RSS when it exits.
    public static func relayProcess(ferry: String, file: String, bytes: Int, messages: Int,
                                    forwarding: RelayForwarding = .splice) async throws -> (RelayBenchmarkRow, peakRSS: Int) {
        let started = ContinuousClock.now
        let process = try ChildProcess(command: "exec '\(ferry)' worker relay --forwarding \(forwarding.rawValue) --source-command \"cat '\(file)'\" --destination-command 'cat > /dev/null'")
        close(process.stdinFD)
        async let out: String = collectTail(of: process.stdoutFD, label: "bench-out", passThrough: false)
        async let err: String = collectTail(of: process.stderrFD, label: "bench-err", passThrough: false)
        let code = await process.waitForExit()
        let (output, errors) = await (out, err)
        guard code == 0 else { throw ChildProcessError(description: "ferry worker relay exited with code \(code): \(errors)") }
        let summary = try? JSONValue.parse(output)
        guard let summary, summary["recordsEmitted"].intValue ?? 0 > 0 else {
            throw ChildProcessError(description: "ferry worker relay relayed no records: \(output)")
        }
        // The relay reports its own peak RSS (VmHWM): ru_maxrss from wait4 would start
        // from this process's peak, the spawning parent's.
        let rss = Int(summary["peakRSSBytes"].intValue ?? 0)
        let row = RelayBenchmarkRow(name: "cat | ferry worker relay | cat (\(forwarding.rawValue))", seconds: Double(started.duration(to: .now).nanoseconds) / 1e9,
                                    bytes: bytes, messages: messages)
        return (row, rss)
    }

    /// Peak resident set size of this process, in bytes.
    public static func peakRSS() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Int(usage.ru_maxrss) * 1024
    }
}
