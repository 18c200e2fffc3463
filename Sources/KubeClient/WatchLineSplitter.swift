/// Splits a streamed watch response into lines and decodes each into a `WatchEvent`: pure logic.
import KubeCore

/// Accumulates chunks of a watch response (chunk boundaries mean nothing) and returns the
/// complete newline-terminated lines. Blank lines are skipped.
public struct WatchLineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// A line longer than this means a broken stream, not an object (the API server caps objects far lower).
    public var maxLineBytes: Int

    public init(maxLineBytes: Int = 64 << 20) { self.maxLineBytes = maxLineBytes }

    public struct LineTooLong: Error, Sendable, Hashable {
        public var limit: Int
    }

    /// Adds a chunk and returns the lines it completed, without their `\n` (or `\r\n`).
    public mutating func append(_ chunk: some Sequence<UInt8>) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") {
                if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                if !buffer.allSatisfy(Self.isSpace) { lines.append(buffer) }
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.append(byte)
                if buffer.count > maxLineBytes { throw LineTooLong(limit: maxLineBytes) }
            }
        }
        return lines
    }

    /// The final line when the stream ended without a newline, if it is not blank.
    public mutating func finish() -> [UInt8]? {
        defer { buffer.removeAll() }
        return buffer.allSatisfy(Self.isSpace) ? nil : buffer
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }

    /// Decodes one line. An `ERROR` event carrying a Status becomes an `.api` error (e.g.
    /// 410 Expired → `isGone`), because the watch cannot continue after it.
    public static func decode(line: [UInt8], operation: String) throws(KubeClientError) -> WatchEvent {
        let json: JSONValue
        do {
            json = try JSONValue.parse(line)
        } catch {
            throw .decoding(DecodingFailure(operation: operation, message: "invalid watch event JSON: \(error)"))
        }
        let event: WatchEvent
        do {
            event = try WatchEvent(json: json)
        } catch {
            throw .decoding(DecodingFailure(operation: operation, message: error.message))
        }
        if event.type == .error {
            let status = Status(json: event.object) ?? Status(message: "watch ERROR event without a Status: \(event.object)", reason: .internalError, code: 500)
            throw .api(APIError(code: status.code ?? 500, status: status, operation: operation))
        }
        return event
    }
}
