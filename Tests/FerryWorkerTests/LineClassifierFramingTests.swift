/// The relay's framing-only RECORD check (`RecordDataCheck.framing`): the same answers
/// as the full check on well-formed lines, and the documented, weaker contract otherwise.
import Testing
import KubeCore
@testable import AirbyteProtocol

func framingSummary(_ line: [UInt8]) -> String {
    let c = LineClassifier.classify(line, recordData: .framing)
    switch c {
    case .record:
        let d = LineClassifier.stream(c, in: line)
        return "RECORD \(d?.name ?? "?") \(d?.namespace ?? "-")"
    case .message(let t): return t.rawValue
    case .invalid(let r): return "invalid \(r.rawValue)"
    }
}

@Suite struct LineClassifierFramingTests {
    @Test(arguments: [
        // CDK layout: accepted from the envelope and the closing braces.
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":1},"emitted_at":1}}"#, "RECORD u -"),
        (#"{"type":"RECORD","record":{"namespace":"n","stream":"u","data":{"a":1}}}"#, "RECORD u n"),
        // A namespace after data, or a "namespace" inside data: the full scan decides.
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":1},"namespace":"n"}}"#, "RECORD u n"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"namespace":"x"}}}"#, "RECORD u -"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"namespace":"x"},"namespace":7}}"#, "RECORD u -"),
        // Cut short: not forwarded.
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":{"b":1"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":1},"emitted_at":17"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{}"#, "invalid notJSON"),
        // Documented weakness: a malformed value inside data passes when framing is intact.
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":"unterminated}}}"#, "RECORD u -"),
        // ... and so does a line cut right after two closing braces inside data.
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":{}}"#, "RECORD u -"),
        // The fast path's shapes (compact and Python-spaced openings) and its fallbacks.
        (#"{"type": "RECORD", "record": {"stream": "users", "data": {"id": 1, "name": "x"}, "emitted_at": 1}}"#, "RECORD users -"),
        (#"{"type": "RECORD", "record": {"stream": "users", "data": {"id": 1}, "namespace": "n"}}"#, "RECORD users n"),
        (#"{"type":"RECORD","record":{"stream":"u\u0073ers","data":{"a":1}}}"#, "RECORD users -"),
        (#"{"type":"RECORD","record":{"stream":"users","namespace":"n","data":{"a":1}}}"#, "RECORD users n"),
        (#"{"type":"RECORD","record":{"stream":"a\#tb","data":{"a":1}}}"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"padding":"0123456789abcdefghijklmnopqrstuvwxyz","x":1},"emitted_at":1,"namespace":"far"}}"#, "RECORD u far"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"padding":"0123456789abcdefghijklmnopqrstuvwxyz","namespace":1},"emitted_at":1}}"#, "RECORD u -"),
        // Other layouts get the full check.
        (#"{"record":{"stream":"u","data":{"a":"unterminated}},"type":"RECORD"}"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"data":{"a":"unterminated},"stream":"u"}}"#, "invalid notJSON"),
        (#"{"type":"STATE","state":{"data":{"a":"unterminated}}}"#, "invalid notJSON"),
    ])
    func classifies(line: String, expected: String) {
        #expect(framingSummary(Array(line.utf8)) == expected, "\(line)")
    }

    @Test func agreesWithTheFullParserOnWellFormedGeneratedLines() {
        var rng = SplitMix64(seed: 7)
        var generator = LineGenerator()
        for _ in 0..<3000 {
            let line = generator.line(&rng)
            #expect(framingSummary(line) == referenceSummary(line), "\(String(decoding: line, as: UTF8.self))")
            // A prefix is rejected unless it still ends with two closing braces (the
            // framing check's blind spot; the relay gives unterminated last lines the full check).
            let trimmedCount = (line.lastIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? 0) + 1
            let prefix = Array(line[..<Int(rng.next() % UInt64(max(trimmedCount, 1)))])
            let text = String(decoding: prefix, as: UTF8.self).filter { !" \t\r\n".contains($0) }
            if !text.hasSuffix("}}") { #expect(framingSummary(prefix).hasPrefix("invalid"), "\(text)") }
        }
    }
    /// The `"namespace"` search scans sixteen positions at a time and ends with a window
    /// overlapping the last: the key is found at every offset from the `data` value to
    /// the line's end, and nothing is found where it is absent.
    @Test func findsANamespaceAfterDataAtEveryOffset() {
        for padding in 0..<70 {
            let filler = String(repeating: "x", count: padding)
            let after = #"{"type":"RECORD","record":{"stream":"u","data":{"p":"\#(filler)"},"namespace":"n"}}"#
            #expect(framingSummary(Array(after.utf8)) == "RECORD u n", "\(after)")
            let inside = #"{"type":"RECORD","record":{"stream":"u","data":{"p":"\#(filler)","namespace":1}}}"#
            #expect(framingSummary(Array(inside.utf8)) == "RECORD u -", "\(inside)")
            let none = #"{"type":"RECORD","record":{"stream":"u","data":{"p":"\#(filler)","namespac":1}}}"#
            #expect(framingSummary(Array(none.utf8)) == "RECORD u -", "\(none)")
        }
    }
}
