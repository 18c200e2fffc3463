/// Reading container log and termination-message files: whole (bounded) or the tail.
import Foundation

public enum LogFiles {
    /// The file's first `maxBytes` as text; empty when missing.
    static func read(_ path: String, maxBytes: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxBytes)) ?? nil
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// The last `lines` lines, at most `maxBytes` from the end (the kubelet's
    /// FallbackToLogsOnError uses 80 lines / 2048 bytes).
    public static func tail(_ path: String, lines: Int?, maxBytes: Int? = nil) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        var bytes = data[...]
        if let maxBytes, bytes.count > maxBytes { bytes = bytes.suffix(maxBytes) }
        var text = String(decoding: bytes, as: UTF8.self)
        if let lines {
            let trailingNewline = text.hasSuffix("\n")
            var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
            if trailingNewline { parts.removeLast() }
            text = parts.suffix(lines).joined(separator: "\n") + (trailingNewline && !parts.isEmpty ? "\n" : "")
        }
        return text
    }
}
