/// The byte-level classifier against hand-written lines and against the full parser.
import Testing
import KubeCore
@testable import AirbyteProtocol

/// A comparable summary of a classification: the type or invalid reason, and the stream.
func summary(_ line: [UInt8]) -> String {
    let c = LineClassifier.classify(line)
    switch c {
    case .record:
        let d = LineClassifier.stream(c, in: line)
        return "RECORD \(d?.name ?? "?") \(d?.namespace ?? "-")"
    case .message(let t): return t.rawValue
    case .invalid(let r): return "invalid \(r.rawValue)"
    }
}

/// What the full parser says the line is, in the same summary form.
func referenceSummary(_ line: [UInt8]) -> String {
    guard let v = try? JSONValue.parse(line) else { return "invalid notJSON" }
    guard v.objectValue != nil else { return "invalid notAnObject" }
    guard let t = v["type"].stringValue else { return "invalid missingType" }
    guard let type = AirbyteMessageType(rawValue: t) else { return "invalid unknownType" }
    guard type == .record else { return type.rawValue }
    guard v["record"].objectValue != nil, let s = v["record"]["stream"].stringValue else { return "invalid recordWithoutStream" }
    return "RECORD \(s) \(v["record"]["namespace"].stringValue ?? "-")"
}

@Suite struct LineClassifierTests {
    @Test(arguments: [
        (#"{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1}}"#, "RECORD users -"),
        (#"{"type": "RECORD", "record": {"stream": "users", "data": {"id": 1}, "emitted_at": 1}}"#, "RECORD users -"),
        (#"  { "record" : { "data" : {"stream":"no"} , "namespace":"shop", "stream" : "orders" } , "type" : "RECORD" }  "#, "RECORD orders shop"),
        (#"{"type":"RECORD","record":{"stream":"a\"b\\c","namespace":null,"data":{}}}"#, "RECORD a\"b\\c -"),
        (#"{"\u0074ype":"RECORD","record":{"str\u0065am":"x\u00e9","data":{}}}"#, "RECORD xé -"),
        (#"{"type":"RECORD","record":{"data":{"s":"}{]["},"stream":"u"}}"#, "RECORD u -"),
        ("{\"type\":\"RECORD\",\"record\":{\"stream\":\"u\",\"data\":[1,2.5e3,-1,true,false,null]}}\r", "RECORD u -"),
        (#"{"type":"STATE","state":{"type":"STREAM"}}"#, "STATE"),
        (#"{"type":"LOG","log":{"level":"INFO","message":"hi"}}"#, "LOG"),
        (#"{"type":"TRACE","trace":{}}"#, "TRACE"),
        (#"{"type":"CONTROL","control":{}}"#, "CONTROL"),
        (#"{"type":"SPEC","spec":{}}"#, "SPEC"),
        (#"{"type":"CONNECTION_STATUS","connectionStatus":{}}"#, "CONNECTION_STATUS"),
        (#"{"type":"CATALOG","catalog":{}}"#, "CATALOG"),
        (#"{"type":"RECORD","record":{"data":{}}}"#, "invalid recordWithoutStream"),
        (#"{"type":"RECORD","record":{"stream":5,"data":{}}}"#, "invalid recordWithoutStream"),
        (#"{"type":"RECORD"}"#, "invalid recordWithoutStream"),
        (#"{"type":"BANANA"}"#, "invalid unknownType"),
        (#"{"type":"record","record":{"stream":"u"}}"#, "invalid unknownType"),
        (#"{"record":{"stream":"u"}}"#, "invalid missingType"),
        (#"{"type":7}"#, "invalid missingType"),
        (#"{}"#, "invalid missingType"),
        (#"[1,2]"#, "invalid notAnObject"),
        (#""RECORD""#, "invalid notAnObject"),
        ("", "invalid notJSON"),
        ("   ", "invalid notJSON"),
        ("hello world", "invalid notJSON"),
        ("Traceback (most recent call last):", "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":1}}"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":1}}}}"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":{"a":"unterminated}}}"#, "invalid notJSON"),
        (#"{"type":"RECORD","record":{"stream":"u","data":tru}}"#, "invalid notJSON"),
        (#"{"type":"RECORD",}"#, "invalid notJSON"),
        (#"{"type" "RECORD"}"#, "invalid notJSON"),
        (#"{"type":"STATE"} trailing"#, "invalid notJSON"),
    ])
    func classifies(line: String, expected: String) {
        #expect(summary(Array(line.utf8)) == expected, "\(line)")
    }

    @Test func agreesWithTheFullParserOnGeneratedLines() {
        var rng = SplitMix64(seed: 42)
        var generator = LineGenerator()
        var compared = 0
        for _ in 0..<3000 {
            let line = generator.line(&rng)
            #expect(summary(line) == referenceSummary(line), "\(String(decoding: line, as: UTF8.self))")
            // Every proper prefix that is not the whole object is malformed for both.
            let trimmedCount = (line.lastIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } ?? 0) + 1
            let cut = Int(rng.next() % UInt64(max(trimmedCount, 1)))
            let prefix = Array(line[..<cut])
            #expect(summary(prefix).hasPrefix("invalid"), "\(String(decoding: prefix, as: UTF8.self))")
            #expect(referenceSummary(prefix).hasPrefix("invalid"))
            // A mutated line: when the full parser accepts it, the classifier must agree.
            var mutated = line
            if !mutated.isEmpty {
                let structural = Array(#"{}[]":,\ ax1"#.utf8)
                mutated[Int(rng.next() % UInt64(mutated.count))] = structural[Int(rng.next() % UInt64(structural.count))]
                if (try? JSONValue.parse(mutated)) != nil {
                    compared += 1
                    #expect(summary(mutated) == referenceSummary(mutated), "\(String(decoding: mutated, as: UTF8.self))")
                }
            }
        }
        #expect(compared > 100)
    }
}

/// Random Airbyte-like lines: random key order, whitespace, escapes, nesting and types.
struct LineGenerator {
    func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int(rng.next() % UInt64(items.count))] }

    func ws(_ rng: inout SplitMix64) -> String { pick(["", "", "", " ", "  ", "\t", " \n "], &rng) }

    func string(_ rng: inout SplitMix64) -> String {
        let pieces = ["a", "users", "é", "\\\"", "\\\\", "\\n", "\\u00e9", "\\u0041", " ", "}", "{", "[", ":", ","]
        var s = "\""
        for _ in 0..<Int(rng.next() % 5) { s += pick(pieces, &rng) }
        return s + "\""
    }

    func value(_ rng: inout SplitMix64, depth: Int) -> String {
        switch rng.next() % (depth > 2 ? 4 : 6) {
        case 0: return string(&rng)
        case 1: return pick(["0", "-1", "12.5", "1e3", "-0.25E-2", "123456789"], &rng)
        case 2: return pick(["true", "false", "null"], &rng)
        case 3: return string(&rng)
        case 4:
            let items = (0..<Int(rng.next() % 4)).map { _ in ws(&rng) + value(&rng, depth: depth + 1) + ws(&rng) }
            return "[" + items.joined(separator: ",") + "]"
        default: return object(fields: [], &rng, depth: depth + 1)
        }
    }

    func object(fields: [(String, String)], _ rng: inout SplitMix64, depth: Int) -> String {
        var all = fields
        for k in 0..<Int(rng.next() % 3) { all.append(("\"k\(k)\"", value(&rng, depth: depth))) }
        all.shuffle(using: &rng)
        return "{" + ws(&rng) + all.map { "\($0.0)\(ws(&rng)):\(ws(&rng))\($0.1)" }.joined(separator: ws(&rng) + "," + ws(&rng)) + ws(&rng) + "}"
    }

    mutating func line(_ rng: inout SplitMix64) -> [UInt8] {
        let type = pick(["\"RECORD\"", "\"RECORD\"", "\"RECORD\"", "\"STATE\"", "\"LOG\"", "\"TRACE\"", "\"NOPE\"", "7", "\"\\u0052ECORD\""], &rng)
        var record: [(String, String)] = [("\"data\"", value(&rng, depth: 1)), ("\"emitted_at\"", "1700000000000")]
        switch rng.next() % 5 {
        case 0: break
        case 1: record.append(("\"stream\"", "5"))
        default: record.append(("\"stream\"", string(&rng)))
        }
        switch rng.next() % 3 {
        case 0: record.append(("\"namespace\"", string(&rng)))
        case 1: record.append(("\"namespace\"", "null"))
        default: break
        }
        var fields: [(String, String)] = []
        if rng.next() % 8 != 0 { fields.append(("\"type\"", type)) }
        if rng.next() % 8 != 0 { fields.append(("\"record\"", object(fields: record, &rng, depth: 1))) }
        return Array((ws(&rng) + object(fields: fields, &rng, depth: 0) + ws(&rng)).utf8)
    }
}
