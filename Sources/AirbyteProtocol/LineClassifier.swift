/// Byte-level classification of one Airbyte message line: the message type and, for
/// RECORD, where the stream name and namespace are — without decoding `data`.
///
/// A full JSON parse per RECORD costs ~10x the pipe's throughput, so the relay scans
/// bytes instead. Skipped values (such as `data`) are checked only for balanced
/// brackets, terminated strings and well-formed literals; the destination parses them.
import KubeCore

/// Where a JSON string sits in the line: the bytes between the quotes, and whether
/// they contain escapes (then they must be decoded, see `LineClassifier.string`).
public struct StringSpan: Sendable, Hashable {
    public var range: Range<Int>
    public var hasEscapes: Bool
}

/// What a line is.
public enum LineClassification: Sendable, Hashable {
    /// A RECORD message; `namespace` is nil when absent or null.
    case record(stream: StringSpan, namespace: StringSpan?)
    /// Any other well-formed message type; decode it with `AirbyteMessage.decode`.
    case message(AirbyteMessageType)
    /// Not an Airbyte message (not JSON, no or unknown `type`, RECORD without a stream).
    case invalid(InvalidLineReason)
}

/// Why a line is not an Airbyte message.
public enum InvalidLineReason: String, Sendable, Hashable {
    case notJSON
    case notAnObject
    case missingType
    case unknownType
    case recordWithoutStream
}

/// How much of a RECORD's `data` value the classifier checks.
public enum RecordDataCheck: Sendable, Hashable {
    /// Every byte: balanced brackets, terminated strings, well-formed literals.
    case full
    /// The relay's hot path. When `type` ("RECORD") comes before `record` and `stream`
    /// (and `namespace`, if any) before an object `data`, as every Airbyte CDK writes
    /// them, `data` and what follows it are not scanned: the line only has to end with
    /// the two closing braces of `record` and the message, and must not mention
    /// `"namespace"` after `data` (else the full scan runs). So a line cut short is not
    /// forwarded (unless the cut falls just after two closing braces inside `data`; the
    /// relay fully checks a last line without a newline, where a dying source cuts), but
    /// a malformed value inside `data`, or two records run together, reach the
    /// destination, which parses every record anyway and fails the attempt on bad JSON.
    case framing
    /// `framing` for a line the caller has already searched: it holds no `"namespace"`
    /// (see `LineClassifier.namespaceKey(in:)`, one pass over a whole read buffer instead
    /// of a search per line).
    case framingWithoutNamespaceKey
}

public enum LineClassifier {
    /// Classifies one line (without its newline; a trailing `\r` is allowed).
    public static func classify(_ line: UnsafeBufferPointer<UInt8>, recordData: RecordDataCheck = .full) -> LineClassification {
        var scanner = ByteScanner(bytes: line)
        scanner.framingOnly = recordData != .full
        scanner.namespaceKeyAbsent = recordData == .framingWithoutNamespaceKey
        if scanner.framingOnly, let record = scanner.classifyCommonRecord() { return record }
        scanner.i = 0
        return scanner.classifyMessage()
    }

    public static func classify(_ line: [UInt8], recordData: RecordDataCheck = .full) -> LineClassification {
        line.withUnsafeBufferPointer { classify($0, recordData: recordData) }
    }

    /// Where the first `"namespace"` is in `bytes` at or after `from`: lines before it can
    /// be classified `framingWithoutNamespaceKey`.
    public static func namespaceKey(in bytes: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        ByteScanner.firstOccurrence(of: ByteScanner.namespaceKey, probe: ByteScanner.namespaceProbe, in: bytes, from: from)
    }

    /// The text of a string span found by `classify` in the same line.
    public static func string(_ span: StringSpan, in line: UnsafeBufferPointer<UInt8>) -> String {
        let slice = UnsafeBufferPointer(rebasing: line[span.range])
        if !span.hasEscapes { return String(decoding: slice, as: UTF8.self) }
        // Rare: let the full parser decode escapes, quoting the raw bytes again.
        var quoted: [UInt8] = [0x22]
        quoted.append(contentsOf: slice)
        quoted.append(0x22)
        return (try? JSONValue.parse(quoted))?.stringValue ?? String(decoding: slice, as: UTF8.self)
    }

    public static func string(_ span: StringSpan, in line: [UInt8]) -> String {
        line.withUnsafeBufferPointer { string(span, in: $0) }
    }

    /// The stream descriptor of a RECORD classification.
    public static func stream(_ classification: LineClassification, in line: [UInt8]) -> StreamDescriptor? {
        guard case .record(let stream, let namespace) = classification else { return nil }
        return StreamDescriptor(name: string(stream, in: line), namespace: namespace.map { string($0, in: line) })
    }
}

/// A cursor over the line's bytes. Every method returns false/nil on malformed input.
struct ByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// See `RecordDataCheck.framing`.
    var framingOnly = false
    /// See `RecordDataCheck.framingWithoutNamespaceKey`.
    var namespaceKeyAbsent = false

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, colon: UInt8 = 0x3A, comma: UInt8 = 0x2C
    static let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D, openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D

    mutating func classifyMessage() -> LineClassification {
        skipWhitespace()
        guard i < bytes.count else { return .invalid(.notJSON) }
        guard bytes[i] == Self.openBrace else {
            return skipValue() && atEnd() ? .invalid(.notAnObject) : .invalid(.notJSON)
        }
        i += 1
        var typeSpan: StringSpan?
        var stream: StringSpan?
        var namespace: StringSpan?
        var sawRecordObject = false
        var first = true
        while true {
            skipWhitespace()
            guard i < bytes.count else { return .invalid(.notJSON) }
            if bytes[i] == Self.closeBrace { if first { i += 1; break } else { return .invalid(.notJSON) } }
            guard let key = scanString() else { return .invalid(.notJSON) }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.colon else { return .invalid(.notJSON) }
            i += 1
            skipWhitespace()
            if keyEquals(key, "type") {
                guard i < bytes.count else { return .invalid(.notJSON) }
                if bytes[i] == Self.quote {
                    guard let span = scanString() else { return .invalid(.notJSON) }
                    typeSpan = span
                } else {
                    guard skipValue() else { return .invalid(.notJSON) }
                    typeSpan = nil
                }
            } else if keyEquals(key, "record"), i < bytes.count, bytes[i] == Self.openBrace {
                let isRecord = framingOnly && !sawRecordObject && typeSpan.map { keyEquals($0, "RECORD") } == true
                guard let found = scanRecordObject(framingOnly: isRecord) else { return .invalid(.notJSON) }
                if found.framed, let stream = found.stream { return .record(stream: stream, namespace: found.namespace) }
                sawRecordObject = true
                stream = found.stream
                namespace = found.namespace
            } else {
                guard skipValue() else { return .invalid(.notJSON) }
            }
            first = false
            skipWhitespace()
            guard i < bytes.count else { return .invalid(.notJSON) }
            if bytes[i] == Self.comma { i += 1; skipWhitespace(); if i < bytes.count, bytes[i] == Self.closeBrace { return .invalid(.notJSON) }; continue }
            if bytes[i] == Self.closeBrace { i += 1; break }
            return .invalid(.notJSON)
        }
        guard atEnd() else { return .invalid(.notJSON) }
        guard let typeSpan else { return .invalid(.missingType) }
        guard let type = messageType(typeSpan) else { return .invalid(.unknownType) }
        if type == .record {
            guard sawRecordObject, let stream else { return .invalid(.recordWithoutStream) }
            return .record(stream: stream, namespace: namespace)
        }
        return .message(type)
    }

    /// Scans `{...}` of `record`, noting `stream` and `namespace` and skipping the rest.
    /// `framed`: the line was accepted by the framing check at `data` (then the scan stopped there).
    mutating func scanRecordObject(framingOnly: Bool = false) -> (stream: StringSpan?, namespace: StringSpan?, framed: Bool)? {
        i += 1
        var stream: StringSpan?
        var namespace: StringSpan?
        var first = true
        while true {
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == Self.closeBrace { if first { i += 1; return (stream, namespace, false) } else { return nil } }
            guard let key = scanString() else { return nil }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.colon else { return nil }
            i += 1
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if framingOnly, stream != nil, bytes[i] == Self.openBrace, keyEquals(key, "data"), framedAfterData(namespaceSeen: namespace != nil) {
                return (stream, namespace, true)
            }
            let isStream = keyEquals(key, "stream"), isNamespace = !isStream && keyEquals(key, "namespace")
            if (isStream || isNamespace), bytes[i] == Self.quote {
                guard let span = scanString() else { return nil }
                if isStream { stream = span } else { namespace = span }
            } else {
                guard skipValue() else { return nil }
                if isStream { stream = nil } else if isNamespace { namespace = nil }
            }
            first = false
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == Self.comma { i += 1; skipWhitespace(); if i < bytes.count, bytes[i] == Self.closeBrace { return nil }; continue }
            if bytes[i] == Self.closeBrace { i += 1; return (stream, namespace, false) }
            return nil
        }
    }

    mutating func atEnd() -> Bool {
        skipWhitespace()
        return i == bytes.count
    }

    mutating func skipWhitespace() {
        while i < bytes.count {
            let b = bytes[i]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            i += 1
        }
    }

    /// Scans a string starting at the opening quote; returns the span inside the quotes.
    mutating func scanString() -> StringSpan? {
        guard i < bytes.count, bytes[i] == Self.quote else { return nil }
        i += 1
        let start = i
        var escapes = false
        // Eight bytes at a time while none is a quote, a backslash or a control byte:
        // strings are most of a record's bytes.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= bytes.count {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                let q = w ^ (ones &* 0x22), b = w ^ (ones &* 0x5C)
                let hasQuote = (q &- ones) & ~q & highs
                let hasBackslash = (b &- ones) & ~b & highs
                let hasControl = (w &- (ones &* 0x20)) & ~w & highs
                if hasQuote | hasBackslash | hasControl != 0 { break }
                i += 8
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == Self.quote {
                let span = StringSpan(range: start..<i, hasEscapes: escapes)
                i += 1
                return span
            }
            if b == Self.backslash {
                escapes = true
                i += 2
                continue
            }
            if b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// Skips any JSON value, checking structure only as far as the classifier needs.
    mutating func skipValue() -> Bool {
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case Self.quote:
            return scanString() != nil
        case Self.openBrace, Self.openBracket:
            var depth = 0
            let raw = bytes.baseAddress.map(UnsafeRawPointer.init)
            while i < bytes.count {
                // Eight bytes at a time past anything that is not a quote or a bracket:
                // numbers, literals, separators and whitespace between strings.
                if let raw {
                    while i + 8 <= bytes.count, !Self.hasStructural(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
                    if i >= bytes.count { break }
                }
                let b = bytes[i]
                if b == Self.quote {
                    guard scanString() != nil else { return false }
                    continue
                }
                if b == Self.openBrace || b == Self.openBracket { depth += 1 }
                else if b == Self.closeBrace || b == Self.closeBracket {
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                }
                i += 1
            }
            return false
        case 0x74: return skipLiteral("true")
        case 0x66: return skipLiteral("false")
        case 0x6E: return skipLiteral("null")
        default:
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                guard (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 else { break }
                i += 1
            }
            guard i > start else { return false }
            let first = bytes[start]
            return first == 0x2D || (first >= 0x30 && first <= 0x39)
        }
    }

    mutating func skipLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= bytes.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] { return false }
        i += n
        return true
    }

    func keyEquals(_ span: StringSpan, _ literal: StaticString) -> Bool {
        if span.hasEscapes { return LineClassifier.string(span, in: bytes) == literal.description }
        let n = literal.utf8CodeUnitCount
        guard span.range.count == n else { return false }
        let p = literal.utf8Start
        for k in 0..<n where bytes[span.range.lowerBound + k] != p[k] { return false }
        return true
    }

    func messageType(_ span: StringSpan) -> AirbyteMessageType? {
        // RECORD first, without going through String: it is nearly every line.
        if keyEquals(span, "RECORD") { return .record }
        for type in AirbyteMessageType.allCases where rawEquals(span, type.rawValue) { return type }
        return nil
    }

    func rawEquals(_ span: StringSpan, _ text: String) -> Bool {
        if span.hasEscapes { return LineClassifier.string(span, in: bytes) == text }
        let utf8 = text.utf8
        guard span.range.count == utf8.count else { return false }
        var k = span.range.lowerBound
        for b in utf8 { if bytes[k] != b { return false }; k += 1 }
        return true
    }
}
