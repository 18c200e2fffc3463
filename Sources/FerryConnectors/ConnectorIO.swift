/// Buffered line output and line input on file descriptors, for built-in connectors.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AirbyteProtocol
import KubeCore

/// A connector's failure: becomes a TRACE ERROR on stdout and a non-zero exit.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var failureType: FailureType
    public init(_ message: String, failureType: FailureType = .configError) {
        self.message = message
        self.failureType = failureType
    }
    public var description: String { message }
}

/// Buffered writes of whole lines to a descriptor (stdout, or a stream's file).
final class LineOutput {
    let fd: Int32
    private(set) var buffer: [UInt8] = []
    let flushAt: Int

    init(fd: Int32, flushAt: Int = 1 << 18) {
        self.fd = fd
        self.flushAt = flushAt
        buffer.reserveCapacity(flushAt + 4096)
    }

    func write(line: some Sequence<UInt8>) throws(ConnectorError) {
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if buffer.count >= flushAt { try flush() }
    }

    func write(_ text: String) throws(ConnectorError) { try write(line: text.utf8) }
    func write(_ message: AirbyteMessage) throws(ConnectorError) { try write(line: message.json.serializedBytes()) }

    func flush() throws(ConnectorError) {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConnectorError("writing output: \(String(cString: strerror(errno)))", failureType: .systemError)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Calls `body` for each line read from `fd` until end of input.
func forEachLine(of fd: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws(ConnectorError) -> Void) throws(ConnectorError) {
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var start = 0, end = 0
    while true {
        if end == buffer.count {
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start
                start = 0
            } else {
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
        }
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + end, $0.count - end) }
        if n < 0 {
            if errno == EINTR { continue }
            throw ConnectorError("reading input: \(String(cString: strerror(errno)))", failureType: .systemError)
        }
        if n == 0 {
            if end > start { try buffer.withUnsafeBufferPointer { p throws(ConnectorError) in try body(UnsafeBufferPointer(rebasing: p[start..<end])) } }
            return
        }
        var scan = end
        end += n
        try buffer.withUnsafeBufferPointer { p throws(ConnectorError) in
            while scan < end {
                guard let nl = p[scan..<end].firstIndex(of: 0x0A) else { break }
                try body(UnsafeBufferPointer(rebasing: p[start..<nl]))
                start = nl + 1
                scan = start
            }
        }
    }
}

/// Reads and parses a JSON file named by a command-line flag.
func readJSONFile(_ path: String?, flag: String) throws(ConnectorError) -> JSONValue {
    guard let path else { throw ConnectorError("\(flag) is required") }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw ConnectorError("reading \(flag) \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw ConnectorError("reading \(flag) \(path): \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    do { return try JSONValue.parse(bytes) } catch { throw ConnectorError("\(flag) \(path) is not valid JSON: \(error)") }
}

/// RFC 3339 UTC text for whole seconds since the epoch (fast: no date formatter).
func rfc3339(_ seconds: Int64) -> String {
    KubeTime.format(epochSeconds: seconds)
}
