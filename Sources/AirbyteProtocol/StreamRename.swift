/// Renaming a stream on the way to the destination (a Connection's prefix and namespace
/// definition): RECORD lines are spliced byte by byte; STATE and STREAM_STATUS messages,
/// which are rare and already decoded, are rewritten as JSON.
import KubeCore

extension StreamDescriptor {
    /// The `stream_descriptor` object.
    public var json: JSONValue {
        var d: JSONValue = ["name": .string(name)]
        if let namespace { d["namespace"] = .string(namespace) }
        return d
    }
}

/// Rewrites the RECORD lines of one stream to its destination descriptor. The `data`
/// bytes are copied as they are; only the `stream` value and the `namespace` member change.
public struct RecordRename: Sendable, Hashable {
    public let target: StreamDescriptor
    /// The new values, quoted and escaped as JSON.
    let streamValue: [UInt8]
    let namespaceValue: [UInt8]?

    public init(to target: StreamDescriptor) {
        self.target = target
        streamValue = Array(JSONValue.string(target.name).serialized().utf8)
        namespaceValue = target.namespace.map { Array(JSONValue.string($0).serialized().utf8) }
    }

    /// Appends the rewritten line (without a newline) to `out`. False, leaving `out`
    /// unchanged, when the line has no `record` object with a string `stream`.
    public func rewrite(_ line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        var scanner = ByteScanner(bytes: line)
        guard let members = scanner.recordMembers(), let stream = members.stream,
              stream.value.lowerBound < line.count, line[stream.value.lowerBound] == ByteScanner.quote else { return false }
        var edits: [(range: Range<Int>, bytes: [UInt8])] = [(stream.value, streamValue)]
        switch (namespaceValue, members.namespace) {
        case (let value?, let member?): edits.append((member.value, value))
        case (let value?, nil):
            let at = stream.value.upperBound
            edits.append((at..<at, Array(#","namespace":"#.utf8) + value))
        case (nil, let member?): edits.append((member.removal, []))
        case (nil, nil): break
        }
        edits.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        out.reserveCapacity(out.count + line.count + 64)
        var position = 0
        for edit in edits {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: line[position..<edit.range.lowerBound]))
            out.append(contentsOf: edit.bytes)
            position = edit.range.upperBound
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: line[position...]))
        return true
    }

    public func rewrite(_ line: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        return line.withUnsafeBufferPointer { rewrite($0, into: &out) } ? out : nil
    }
}

extension StateMessage {
    /// The same state checkpointing `descriptor` instead; only STREAM states name a stream.
    public func renamed(to descriptor: StreamDescriptor) -> StateMessage {
        guard kind == .stream else { return self }
        var j = json
        j["stream"]["stream_descriptor"] = descriptor.json
        return StateMessage(json: j)
    }
}

extension TraceMessage {
    /// The same STREAM_STATUS about `descriptor` instead; other traces are unchanged.
    public func renamed(to descriptor: StreamDescriptor) -> TraceMessage {
        guard kind == .streamStatus else { return self }
        var j = json
        j["stream_status"]["stream_descriptor"] = descriptor.json
        return TraceMessage(json: j)
    }
}

/// Where one member of the `record` object sits in the line.
struct RecordMember {
    /// The value's bytes (with the quotes of a string).
    var value: Range<Int>
    /// What to cut to remove the member: with the comma before it, or for the first
    /// member with the comma and whitespace after it.
    var removal: Range<Int>
}

extension ByteScanner {
    /// The `stream` and `namespace` members of the first `record` object, whatever their
    /// values; nil when the line is not an object or `record` is malformed.
    mutating func recordMembers() -> (stream: RecordMember?, namespace: RecordMember?)? {
        skipWhitespace()
        guard i < bytes.count, bytes[i] == Self.openBrace else { return nil }
        i += 1
        while true {
            skipWhitespace()
            guard let key = scanString() else { return nil }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.colon else { return nil }
            i += 1
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == Self.openBrace, keyEquals(key, "record") { return scanRecordMembers() }
            guard skipValue() else { return nil }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.comma else { return nil }
            i += 1
        }
    }

    private mutating func scanRecordMembers() -> (stream: RecordMember?, namespace: RecordMember?)? {
        i += 1
        var stream: RecordMember?, namespace: RecordMember?
        var commaBefore: Int?
        while true {
            skipWhitespace()
            guard i < bytes.count else { return nil }
            if bytes[i] == Self.closeBrace, commaBefore == nil { return (stream, namespace) }
            let keyStart = i
            guard let key = scanString() else { return nil }
            skipWhitespace()
            guard i < bytes.count, bytes[i] == Self.colon else { return nil }
            i += 1
            skipWhitespace()
            let valueStart = i
            guard skipValue() else { return nil }
            let valueEnd = i
            skipWhitespace()
            guard i < bytes.count else { return nil }
            let last = bytes[i] == Self.closeBrace
            guard last || bytes[i] == Self.comma else { return nil }
            let comma = i
            i += 1
            if !last { skipWhitespace() }
            let removal = commaBefore.map { $0..<valueEnd } ?? (keyStart..<(last ? valueEnd : i))
            let member = RecordMember(value: valueStart..<valueEnd, removal: removal)
            if keyEquals(key, "stream") { stream = member } else if keyEquals(key, "namespace") { namespace = member }
            if last { return (stream, namespace) }
            commaBefore = comma
        }
    }
}
