/// Structured logs: a swift-log handler writing one JSON object per line, as log
/// collectors (Loki, Elasticsearch, Cloud Logging) parse operator logs without a pattern.
import Foundation
import KubeCore
import Logging
import Synchronization

/// Writes `{"time":…,"level":…,"logger":…,"msg":…,<metadata>…}` lines: `time` is RFC 3339
/// UTC with milliseconds, `logger` the Logger's label, then the handler's and the call's
/// metadata (and the provider's) as fields, the call's winning on a clash. A metadata key
/// named like one of the four fixed fields is written with a `_` prefix rather than
/// replacing it.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    public let label: String
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    /// A handler writing each line (newline included) with `write`; stderr by default.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil,
                write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
        self.now = now
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { _, new in new } }
        if let own = event.metadata { fields.merge(own) { _, new in new } }
        if let error = event.error, fields["error"] == nil { fields["error"] = "\(error)" }
        write(Self.line(time: now(), level: event.level, label: label, message: event.message.description, metadata: fields))
    }

    static let fixedFields: Set<String> = ["time", "level", "logger", "msg"]

    /// One log line: the fixed fields first (humans read them first in `kubectl logs`),
    /// then the metadata sorted by key. Pure.
    public static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":" + JSONValue.string(timestamp(time)).serialized()
        out += ",\"level\":" + JSONValue.string(level.rawValue).serialized()
        out += ",\"logger\":" + JSONValue.string(label).serialized()
        out += ",\"msg\":" + JSONValue.string(message).serialized()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = fixedFields.contains(key) ? "_" + key : key
            out += "," + JSONValue.string(name).serialized() + ":" + json(value).serialized()
        }
        return out + "}\n"
    }

    /// `2026-01-02T03:04:05.678Z`.
    static func timestamp(_ date: Date) -> String {
        // Rounded to the microsecond first, so .678 stored as .67799… still reads .678.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let millis = (micros - seconds * 1_000_000) / 1000
        let digits = String(millis)
        return String(KubeTime.format(epochSeconds: seconds).dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): .string(s)
        case .stringConvertible(let c): .string(c.description)
        case .array(let items): .array(items.map(json))
        case .dictionary(let members): .object(members.mapValues(json))
        }
    }

    /// Serializes writes so lines from concurrent tasks never interleave.
    private static let stderrLock = Mutex(())

    /// Writes the line to standard error, unbuffered (a crash loses no line), in one
    /// write under a lock.
    public static let standardError: @Sendable (String) -> Void = { line in
        let data = Data(line.utf8)
        JSONLogHandler.stderrLock.withLock { _ in FileHandle.standardError.write(data) }
    }
}
