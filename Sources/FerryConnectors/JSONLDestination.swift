/// `destination-jsonl`: one JSON-lines file per stream under `destination_path`,
/// overwrite / append / append_dedup / overwrite_dedup; a STATE is echoed only after
/// every record before it is written and fsync'ed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AirbyteProtocol
import KubeCore

public enum JSONLDestination {
    public static let connectionSpecification: JSONValue = [
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "JSON Lines Destination Spec",
        "type": "object",
        "required": ["destination_path"],
        "properties": [
            "destination_path": ["type": "string", "description": "Directory for one <stream>.jsonl file per stream."],
            "fail_after_records": [
                "type": "integer", "minimum": 1,
                "description": "Testing aid, like Airbyte's e2e-test destination in FAILING mode: fail with a system error after receiving this many records.",
            ],
        ],
    ]

    public static func spec() -> AirbyteMessage {
        .spec(["documentationUrl": "https://ferry.dev/connectors/destination-jsonl", "connectionSpecification": connectionSpecification,
               "supportsIncremental": true, "supported_destination_sync_modes": ["overwrite", "append", "append_dedup", "overwrite_dedup"]])
    }

    static func directory(_ config: JSONValue) throws(ConnectorError) -> String {
        guard let path = config["destination_path"].stringValue, !path.isEmpty else {
            throw ConnectorError("config.destination_path must be a non-empty string")
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw ConnectorError("creating destination_path \(path): \(String(cString: strerror(errno)))")
        }
        return path
    }

    public static func check(config: JSONValue) -> AirbyteMessage {
        do throws(ConnectorError) {
            let dir = try directory(config)
            let probe = dir + "/.ferry-check"
            let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw ConnectorError("writing to \(dir): \(String(cString: strerror(errno)))") }
            close(fd)
            unlink(probe)
            return .connectionStatus(ConnectionStatus(succeeded: true, message: nil))
        } catch {
            return .connectionStatus(ConnectionStatus(succeeded: false, message: error.message))
        }
    }

    /// The file of a stream: `<namespace>_<name>.jsonl`, with path separators replaced.
    public static func fileName(_ d: StreamDescriptor) -> String {
        let base = d.namespace.map { "\($0)_\(d.name)" } ?? d.name
        return String(base.map { $0 == "/" || $0 == "\0" ? "_" : $0 }) + ".jsonl"
    }

    final class StreamFile {
        let path: String
        let output: LineOutput
        let stream: ConfiguredStream
        var dirty = false
        init(path: String, fd: Int32, stream: ConfiguredStream) {
            self.path = path
            self.output = LineOutput(fd: fd, flushAt: 1 << 20)
            self.stream = stream
        }
    }

    static func write(config: JSONValue, catalog: ConfiguredCatalog, input: Int32, output: LineOutput) throws(ConnectorError) {
        let dir = try directory(config)
        var files: [StreamDescriptor: StreamFile] = [:]
        defer { for f in files.values { close(f.output.fd) } }
        for s in catalog.streams {
            let mode = s.destinationSyncMode
            if (mode == .appendDedup || mode == .overwriteDedup) && s.primaryKey.isEmpty {
                throw ConnectorError("stream \(s.descriptor): \(mode.rawValue) needs a primary key")
            }
            let path = dir + "/" + fileName(s.descriptor)
            let flags = O_WRONLY | O_CREAT | (mode == .overwrite || mode == .overwriteDedup ? O_TRUNC : O_APPEND)
            let fd = open(path, flags, 0o644)
            guard fd >= 0 else { throw ConnectorError("opening \(path): \(String(cString: strerror(errno)))", failureType: .systemError) }
            files[s.descriptor] = StreamFile(path: path, fd: fd, stream: s)
        }
        var warned: Set<StreamDescriptor> = []
        let failAfter = config["fail_after_records"].intValue
        var received: Int64 = 0

        func makeDurable() throws(ConnectorError) {
            for f in files.values where f.dirty {
                try f.output.flush()
                guard fsync(f.output.fd) == 0 else { throw ConnectorError("fsync \(f.path): \(String(cString: strerror(errno)))", failureType: .systemError) }
                f.dirty = false
            }
        }

        try forEachLine(of: input) { line throws(ConnectorError) in
            switch LineClassifier.classify(line) {
            case .record:
                let r: RecordMessage
                do {
                    guard case .record(let decoded) = try AirbyteMessage.decode(line) else { return }
                    r = decoded
                } catch {
                    // Dropping it would lose data silently: fail the write instead.
                    throw ConnectorError("a RECORD line is not valid JSON (\(error))", failureType: .systemError)
                }
                guard let f = files[r.stream] else {
                    if warned.insert(r.stream).inserted {
                        try output.write(.log(LogMessage(level: "WARN", message: "skipping records of stream \(r.stream), which is not in the catalog")))
                    }
                    return
                }
                try f.output.write(line: r.data.serializedBytes())
                f.dirty = true
                received += 1
                if let failAfter, received >= failAfter {
                    throw ConnectorError("failing as configured after \(received) records (fail_after_records)", failureType: .systemError)
                }
            case .message(.state):
                try makeDurable()
                try output.write(line: line)
                try output.flush()
            default:
                return
            }
        }
        try makeDurable()
        for f in files.values where f.stream.destinationSyncMode == .appendDedup || f.stream.destinationSyncMode == .overwriteDedup {
            try dedup(f)
        }
        try output.flush()
    }

    /// Rewrites a stream's file keeping one line per primary key, at the key's first
    /// position: the one with the latest cursor, and among equal or incomparable cursors
    /// (missing, null, mixed types) the last one written.
    static func dedup(_ f: StreamFile) throws(ConnectorError) {
        let fd = open(f.path, O_RDONLY)
        guard fd >= 0 else { throw ConnectorError("reading \(f.path): \(String(cString: strerror(errno)))", failureType: .systemError) }
        var order: [JSONValue] = []
        var latest: [JSONValue: (line: [UInt8], cursor: JSONValue)] = [:]
        do {
            defer { close(fd) }
            try forEachLine(of: fd) { line throws(ConnectorError) in
                let data: JSONValue
                do { data = try JSONValue.parse(line) } catch {
                    throw ConnectorError("deduplicating \(f.path): a line is not valid JSON (\(error))", failureType: .systemError)
                }
                let key = JSONValue.array(f.stream.primaryKey.map { data[path: $0] })
                let cursor = f.stream.cursorField.isEmpty ? JSONValue.null : data[path: f.stream.cursorField]
                if let kept = latest[key] {
                    if !cursorIsOlder(cursor, than: kept.cursor) { latest[key] = (Array(line), cursor) }
                } else {
                    latest[key] = (Array(line), cursor)
                    order.append(key)
                }
            }
        }
        let temporary = f.path + ".dedup"
        let out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard out >= 0 else { throw ConnectorError("writing \(temporary): \(String(cString: strerror(errno)))", failureType: .systemError) }
        let writer = LineOutput(fd: out, flushAt: 1 << 20)
        do {
            defer { close(out) }
            for key in order { if let kept = latest[key] { try writer.write(line: kept.line) } }
            try writer.flush()
            guard fsync(out) == 0 else { throw ConnectorError("fsync \(temporary): \(String(cString: strerror(errno)))", failureType: .systemError) }
        }
        guard rename(temporary, f.path) == 0 else {
            throw ConnectorError("renaming \(temporary) to \(f.path): \(String(cString: strerror(errno)))", failureType: .systemError)
        }
    }

    /// Whether cursor `a` is strictly older than `b`: numbers by value, strings in byte
    /// order (ISO 8601 timestamps sort that way); anything else is not comparable.
    static func cursorIsOlder(_ a: JSONValue, than b: JSONValue) -> Bool {
        if case .string(let x) = a, case .string(let y) = b { return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) }
        if let x = a.doubleValue, let y = b.doubleValue { return x < y }
        return false
    }
}
