/// The splice path (tee/splice from the source's pipe) against the copy path: the same
/// input must reach the destination byte for byte and leave the same counters, through
/// real pipes and `cat`, including every fallback to copying.
import Testing
import Foundation
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

@Suite struct SplicePlanTests {
    @Test func gapsBetweenForwardedRangesAreDiscardedAndNeighboursMerge() {
        var plan = SplicePlan(start: 100)
        plan.forward(100..<150)
        plan.forward(150..<170)
        plan.forward(180..<200)
        plan.discard(upTo: 230)
        #expect(plan.steps == [.forward(70), .discard(10), .forward(20), .discard(30)])
        #expect(plan.start == 100 && plan.decided == 230)
    }

    @Test func insertsKeepTheirPlaceInStreamOrder() {
        var plan = SplicePlan(start: 0)
        plan.forward(0..<10)
        plan.insert(Array("renamed".utf8))
        plan.insert([0x0A])
        plan.forward(25..<40)
        plan.insert(Array("x\n".utf8))
        plan.discard(upTo: 50)
        #expect(plan.steps == [.forward(10), .insert(0..<8), .discard(15), .forward(15), .insert(8..<10), .discard(10)])
        #expect(plan.inserted == Array("renamed\nx\n".utf8))
    }

    @Test func carriedOutPlansStartWhereTheLastOneEnded() {
        var plan = SplicePlan(start: 0)
        plan.forward(0..<10)
        plan.discard(upTo: 10)
        plan.insert([1])
        plan.removeAll()
        #expect(plan.steps.isEmpty && plan.inserted.isEmpty)
        #expect(plan.start == 10 && plan.decided == 10)
        plan.forward(12..<20)
        #expect(plan.steps == [.discard(2), .forward(8)])
        plan.restart(at: 500)
        #expect(plan.steps.isEmpty && plan.start == 500 && plan.decided == 500)
    }
}

@Suite(.timeLimit(.minutes(2))) struct RelaySpliceTests {
    struct Run {
        var result: RelayResult
        var received: [UInt8]
    }

    /// The summary without its duration: every counter the relay reports.
    static func counters(_ r: RelayResult) -> JSONValue {
        var s = r.summary
        s.removeKey("durationSeconds")
        return s
    }

    /// Relays `source` once per forwarding mode into `cat > FILE` and checks both runs agree.
    @discardableResult
    static func compare(_ source: (Scratch) throws -> String, catalog: ConfiguredCatalog? = usersCatalog,
                        tune: @escaping @Sendable (inout RelayConfiguration) -> Void = { _ in }) async throws -> (splice: Run, copy: Run) {
        let s = try Scratch()
        defer { s.remove() }
        let command = try source(s)
        var runs: [Run] = []
        for mode in [RelayForwarding.splice, .copy] {
            let out = s.path("received-\(mode.rawValue)")
            let r = try await relay(source: command, destination: "cat > '\(out)'", catalog: catalog) { c in
                c.forwarding = mode
                tune(&c)
            }
            runs.append(Run(result: r, received: Array((try? Data(contentsOf: URL(fileURLWithPath: out))) ?? Data())))
        }
        #expect(runs[0].received == runs[1].received, "splice and copy deliver different bytes (\(runs[0].received.count) vs \(runs[1].received.count))")
        #expect(counters(runs[0].result) == counters(runs[1].result), "\(counters(runs[0].result).serialized()) vs \(counters(runs[1].result).serialized())")
        #expect(runs[1].result.progress.splicedBytes == 0)
        return (runs[0], runs[1])
    }

    static let log = #"{"type":"LOG","log":{"level":"INFO","message":"between"}}"#
    static let progressTrace = #"{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{"name":"users","type":"STREAM","row_estimate":10}}}"#

    /// Records of both streams with a state every 50, LOG, TRACE, garbage and records of a
    /// stream outside the catalog between them: every kind of dropped line.
    static func mixedLines(_ count: Int) -> [String] {
        var lines: [String] = []
        for i in 0..<count {
            lines.append(record(i % 3 == 0 ? "orders" : "users", i))
            switch i % 50 {
            case 7: lines.append(log)
            case 13: lines.append("not json at all \(i)")
            case 21: lines.append(record("unknown", i))
            case 33: lines.append(progressTrace)
            case 49: lines.append(state("users", i))
            default: break
            }
        }
        return lines
    }

    /// Bytes the relay forwards of `lines` (records of the catalog's streams, states).
    static func forwardedBytes(_ lines: [String]) -> Int {
        let kept = [#"{"type":"RECORD","record":{"stream":"users""#, #"{"type":"RECORD","record":{"stream":"orders""#, #"{"type":"STATE""#]
        return lines.filter { line in kept.contains { line.hasPrefix($0) } }.reduce(0) { $0 + $1.utf8.count + 1 }
    }

    @Test func bulkInputWithDroppedLinesBetweenForwardedOnesIsSplicedIdentically() async throws {
        let lines = Self.mixedLines(40_000)
        let (splice, copy) = try await Self.compare { s in "cat '\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))'" }
        #expect(splice.result.succeeded, "\(splice.result.summary.serialized())")
        #expect(copy.result.progress.sourceSkipped.notJSON == 800 && copy.result.progress.sourceSkipped.unknownStream == 800)
        #expect(copy.result.progress.logCounts["INFO"] == 800)
        // Everything forwarded went by splice: no line was rewritten.
        #expect(splice.result.progress.splicedBytes == splice.received.count)
        #expect(splice.received.count == Self.forwardedBytes(lines) && splice.received.count > 3 << 20)
    }

    @Test func linesSplitAcrossManySmallWritesAndReads() async throws {
        let lines = Self.mixedLines(1_500)
        // dd writes 7 bytes at a time: almost every line spans reads and pipe slots.
        let (splice, _) = try await Self.compare { s in "dd if='\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))' bs=7 status=none" }
        #expect(splice.result.progress.tracker.recordsEmitted == 1_500)
        #expect(splice.result.progress.splicedBytes > 0)
    }

    @Test func renamedStreamIsRewrittenInOrderBetweenSplicedLines() async throws {
        let lines = Self.mixedLines(5_000) + [#"{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"stream_descriptor":{"name":"orders"},"status":"COMPLETE"}}}"#]
        let renames = [StreamDescriptor(name: "orders"): StreamDescriptor(name: "orders", namespace: "shop")]
        let (splice, _) = try await Self.compare({ s in "cat '\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))'" },
                                                 tune: { $0.streamRenames = renames })
        let text = String(decoding: splice.received, as: UTF8.self)
        #expect(text.contains(#""stream":"orders","namespace":"shop""#))
        #expect(text.contains(#""stream":"users","data""#))
        #expect(splice.result.progress.splicedBytes > 0 && splice.result.progress.splicedBytes < splice.received.count)
    }

    @Test func lineLongerThanTheScratchPipeIsCopiedAndSplicingResumes() async throws {
        let long = #"{"type":"RECORD","record":{"stream":"users","data":{"blob":""# + String(repeating: "x", count: 5 << 20) + #""},"emitted_at":1}}"#
        // After the long line more than a read's worth (the source pipe's 1 MiB), so splicing can resume.
        let before = Self.mixedLines(3_000), after = Self.mixedLines(40_000)
        let lines = before + [long] + after
        let (splice, _) = try await Self.compare { s in "cat '\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))'" }
        #expect(splice.result.progress.tracker.recordsEmitted == 43_001)
        // The long line went by copy; most lines after it were spliced again.
        #expect(splice.result.progress.splicedBytes <= splice.received.count - long.utf8.count)
        #expect(splice.result.progress.splicedBytes > Self.forwardedBytes(before) + Self.forwardedBytes(after) / 2)
    }

    @Test func longLineInSmallWritesFillsTheScratchPipesSlots() async throws {
        let long = #"{"type":"RECORD","record":{"stream":"users","data":{"blob":""# + String(repeating: "y", count: 100_000) + #""},"emitted_at":1}}"#
        let lines = Self.mixedLines(300) + [long] + Self.mixedLines(300)
        let (splice, _) = try await Self.compare { s in "dd if='\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))' bs=5 status=none" }
        #expect(splice.result.progress.tracker.recordsEmitted == 601)
    }

    @Test func oversizedLinesAreSkippedAlike() async throws {
        let long = #"{"type":"RECORD","record":{"stream":"users","data":{"blob":""# + String(repeating: "z", count: 300_000) + #""}}}"#
        let lines = Self.mixedLines(2_000) + [long, long] + Self.mixedLines(2_000)
        let (splice, _) = try await Self.compare({ s in "cat '\(try s.write("in.jsonl", lines.joined(separator: "\n") + "\n"))'" },
                                                 tune: { $0.maxLineBytes = 100_000 })
        #expect(splice.result.progress.sourceSkipped.oversized == 2)
        #expect(splice.result.progress.splicedBytes > 0)
    }

    @Test func lastLineWithoutNewline() async throws {
        let lines = Self.mixedLines(2_000) + [record("users", 99_999)]
        let (splice, _) = try await Self.compare { s in "cat '\(try s.write("in.jsonl", lines.joined(separator: "\n")))'" }
        #expect(splice.received.suffix(record("users", 99_999).utf8.count + 1).elementsEqual(Array((record("users", 99_999) + "\n").utf8)))
        #expect(splice.result.progress.splicedBytes > 0)
    }

    @Test func destinationThatStopsReadingFailsAlike() async throws {
        let lines = Self.mixedLines(40_000)
        let s = try Scratch()
        defer { s.remove() }
        let input = try s.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var failures: [RelayFailure?] = []
        for mode in [RelayForwarding.splice, .copy] {
            let r = try await relay(source: "cat '\(input)'", destination: "head -c 1000 > /dev/null") { $0.forwarding = mode }
            failures.append(r.failure)
        }
        #expect(failures[0] != nil && failures[0]?.origin == failures[1]?.origin)
    }

    @Test func sourceThatIsARegularFileIsCopied() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = Self.mixedLines(5_000)
        let input = try s.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var received: [[UInt8]] = []
        var results: [RelayResult] = []
        for mode in [RelayForwarding.splice, .copy] {
            let fd = open(input, O_RDONLY | O_CLOEXEC)
            try #require(fd >= 0)
            let out = s.path("received-\(mode.rawValue)")
            var c = RelayConfiguration(source: .descriptors(read: fd, write: nil), destination: .command("cat > '\(out)'"), catalog: usersCatalog)
            c.passThroughStderr = false
            c.forwarding = mode
            results.append(try await Relay(configuration: c).run())
            received.append(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        }
        #expect(received[0] == received[1] && !received[0].isEmpty)
        #expect(Self.counters(results[0]) == Self.counters(results[1]))
        #expect(results[0].progress.splicedBytes == 0)
    }

    /// A destination input that is a regular file: spliced into; opened for appending,
    /// splice refuses it (EINVAL) after the first read and the relay copies instead.
    @Test(arguments: [false, true]) func destinationThatIsAFile(append: Bool) async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = Self.mixedLines(20_000)
        let input = try s.write("in.jsonl", lines.joined(separator: "\n") + "\n")
        var received: [[UInt8]] = []
        var results: [RelayResult] = []
        for mode in [RelayForwarding.splice, .copy] {
            let out = s.path("received-\(mode.rawValue)")
            let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (append ? O_APPEND : 0), 0o644)
            try #require(fd >= 0)
            // The destination's output: a pipe already at end of file.
            var pair: [Int32] = [0, 0]
            try #require(pipe(&pair) == 0)
            close(pair[1])
            var c = RelayConfiguration(source: .command("cat '\(input)'"), destination: .descriptors(read: pair[0], write: fd), catalog: usersCatalog)
            c.passThroughStderr = false
            c.forwarding = mode
            results.append(try await Relay(configuration: c).run())
            received.append(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        }
        #expect(received[0] == received[1] && received[0].count > 1 << 20)
        #expect(Self.counters(results[0]) == Self.counters(results[1]))
        if append {
            #expect(results[0].progress.splicedBytes == 0)
        } else {
            #expect(results[0].progress.splicedBytes == received[0].count)
        }
    }
}
