/// Fuzzes the relay's byte-level line classifier against itself and the full decoder.
///
/// Invariants (each documented in Sources/AirbyteProtocol):
/// - `namespaceKey(in:)` finds the first `"namespace"`, as a plain search does; and
///   `.framingWithoutNamespaceKey` gives the same answer as `.framing` on a line without
///   one (RecordDataCheck: it is `framing` for a line already searched).
/// - `.framing` differs from `.full` only by accepting a RECORD: the framing check skips
///   `data` and what follows it, so it may accept a line the full scan refuses (or reads
///   differently after `data`), never refuse or retype one (RecordDataCheck.framing).
/// - Spans lie inside the line, and a line the full JSON decoder reads as a message is
///   classified as that message type, with the same stream (LineClassification: `.message`
///   lines are decoded with `AirbyteMessage.decode`, `.record` names the record's stream).
import AirbyteProtocol
import KubeCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let line = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    let full = LineClassifier.classify(line, recordData: .full)
    let framing = LineClassifier.classify(line, recordData: .framing)

    let namespaceAt = line.withUnsafeBufferPointer { LineClassifier.namespaceKey(in: $0) }
    let expected = firstNamespaceKey(line)
    require(namespaceAt == expected, "namespaceKey(in:) found \(String(describing: namespaceAt)), the first \"namespace\" is at \(String(describing: expected))")
    if namespaceAt == nil {
        let searched = LineClassifier.classify(line, recordData: .framingWithoutNamespaceKey)
        require(searched == framing, "framingWithoutNamespaceKey \(searched) != framing \(framing)")
    }

    if framing != full {
        guard case .record = framing else { fatalError("framing \(framing) != full \(full) and framing is not a RECORD") }
    }
    for classification in [full, framing] {
        if case .record(let stream, let namespace) = classification {
            for span in [stream] + (namespace.map { [$0] } ?? []) {
                require(span.range.lowerBound >= 0 && span.range.upperBound <= line.count, "span \(span.range) outside a line of \(line.count) bytes")
            }
            _ = LineClassifier.stream(classification, in: line)
        }
    }

    // The decoder must never crash, whatever the classification; when it reads a message,
    // the full classification must agree on the type and the stream.
    guard let message = try? AirbyteMessage.decode(line) else { return 0 }
    switch (message, full) {
    case (.record(let record), .record):
        let stream = LineClassifier.stream(full, in: line)
        require(stream == record.stream, "classified stream \(String(describing: stream)) != decoded \(record.stream)")
    case (.record, _):
        fatalError("decoded a RECORD, classified \(full)")
    case (_, .message(let type)):
        require(type.rawValue == message.json["type"].stringValue, "decoded \(message.json["type"]), classified \(type)")
    default:
        fatalError("decoded \(message.json["type"]), classified \(full)")
    }
    return 0
}

/// The plain search `namespaceKey(in:)` must agree with.
func firstNamespaceKey(_ line: [UInt8]) -> Int? {
    let key = Array(#""namespace""#.utf8)
    guard line.count >= key.count else { return nil }
    return (0...(line.count - key.count)).first { line[$0] == key[0] && line[$0..<($0 + key.count)].elementsEqual(key) }
}

#if FERRY_FUZZING
runLibFuzzer(fuzz)  // scripts/fuzz.sh's build; see FuzzSupport
#endif
