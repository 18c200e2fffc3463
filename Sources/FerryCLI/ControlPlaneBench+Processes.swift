/// The child processes of `ferry bench controlplane` and how it reads the operator: its
/// /proc status for memory and its /metrics over a plain socket on 127.0.0.1.
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `ferry` subcommand run as a child process, its output in a log file. Used from the
/// bench's one task only (Process is not Sendable).
final class BenchChild {
    let name: String
    let logPath: String
    private let process = Process()

    init(name: String, _ arguments: [String], directory: String, environment extra: [String: String] = [:]) throws {
        self.name = name
        logPath = directory + "/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: DevCommand.currentExecutable())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last lines of the child's output, for an error message.
    var logTail: String { log.split(separator: "\n").suffix(15).joined(separator: "\n") }

    func waitForOutput(_ text: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text) {
            guard isRunning else { throw ValidationError("ferry \(name) exited (\(process.terminationStatus)):\n\(logTail)") }
            guard ContinuousClock.now < deadline else { throw ValidationError("ferry \(name) did not print \"\(text)\" in time:\n\(logTail)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// VmRSS and VmHWM of the child.
    var memory: ProcessMemory {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return ProcessMemory() }
        func kib(_ key: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return ProcessMemory(rss: kib("VmRSS").map { $0 * 1024 }, hwm: kib("VmHWM").map { $0 * 1024 })
    }

    /// SIGTERM, then SIGKILL when it has not exited within 15 s.
    func stop() async {
        guard isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(15)
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if isRunning { kill(pid, SIGKILL) }
    }
}

/// A port on 127.0.0.1 free right now (bound to port 0, read back, closed).
func freeLocalPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ValidationError("socket: errno \(errno)") }
    defer { close(fd) }
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw ValidationError("bind: errno \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

private func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// A blocking HTTP/1.1 GET to 127.0.0.1 (the operator's health server answers with a
/// Content-Length and closes): status and body, nil when it cannot connect or times out.
func httpGet(port: Int, path: String, timeoutSeconds: Int = 30) -> (status: Int, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopback(port: port)
    let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { return nil }
        if n == 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let headerEnd = text.range(of: "\r\n\r\n") else { return nil }
    let statusLine = text[..<headerEnd.lowerBound].split(separator: "\r\n").first ?? ""
    guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
    return (status, String(text[headerEnd.upperBound...]))
}

/// The operator child as the bench samples it: its metrics and its memory at one moment.
struct OperatorSample {
    var metrics: PrometheusText
    var memory: ProcessMemory
    var at: ContinuousClock.Instant

    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double { metrics.sum(name, labels) }
}

struct OperatorScraper {
    let port: Int
    let process: BenchChild

    func snapshot() throws -> OperatorSample {
        guard process.isRunning else { throw ValidationError("the operator exited:\n\(process.logTail)") }
        guard let response = httpGet(port: port, path: "/metrics"), response.status == 200 else {
            throw ValidationError("could not read the operator's /metrics on 127.0.0.1:\(port)")
        }
        return OperatorSample(metrics: PrometheusText(response.body), memory: process.memory, at: .now)
    }

    /// Polls the operator's metrics until `condition` holds.
    func waitUntil(_ what: String, timeout: Duration, _ condition: (OperatorSample) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard process.isRunning else { throw ValidationError("the operator exited while waiting for \(what):\n\(process.logTail)") }
            if let sample = try? snapshot(), condition(sample) { return }
            guard ContinuousClock.now < deadline else { throw ValidationError("timed out waiting for \(what)") }
            // Each scrape walks every cache for the size gauges: poll gently.
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// A sample once every work queue is empty and no reconcile runs, in two samples a
    /// second apart (periodic requeues, e.g. the pools', may still run in between).
    func settled(timeout: Int) async throws -> OperatorSample {
        let deadline = ContinuousClock.now + .seconds(timeout)
        // No backlog: every queue empty. Workers may still be busy, since Running Syncs
        // read their progress every 10 s (1,000 active Syncs are 100 reconciles a second
        // for good), as do the timers of scheduled Connections.
        func idle(_ s: OperatorSample) -> Bool { s.sum("workqueue_depth") == 0 }
        var last = try snapshot()
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            let next = try snapshot()
            if idle(last), idle(next) { return next }
            last = next
        }
        let busy = last.metrics.samples.filter { $0.name == "workqueue_depth" && $0.value > 0 }
            .map { "\($0.name)\($0.labels) \($0.value)" }
        throw ValidationError("the operator's work queues did not drain within \(timeout) s: \(busy)")
    }
}

/// Samples of the Prometheus text format: `name{labels} value` lines.
struct PrometheusText {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            guard let brace = series.firstIndex(of: "{") else {
                samples.append(Sample(name: String(series), labels: [:], value: value))
                continue
            }
            var labels: [String: String] = [:]
            for pair in series[series.index(after: brace)...].dropLast().split(separator: ",") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                labels[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            samples.append(Sample(name: String(series[..<brace]), labels: labels, value: value))
        }
    }

    /// The sum over every series of `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    /// The cumulative buckets of histogram `name` summed over the series matching `labels`,
    /// by upper bound (+Inf last).
    func buckets(_ name: String, _ labels: [String: String] = [:]) -> [(bound: Double, count: Double)] {
        var byBound: [Double: Double] = [:]
        for sample in samples where sample.name == name + "_bucket" && labels.allSatisfy({ sample.labels[$0.key] == $0.value }) {
            guard let le = sample.labels["le"] else { continue }
            let bound = le == "+Inf" ? Double.infinity : (Double(le) ?? .infinity)
            byBound[bound, default: 0] += sample.value
        }
        return byBound.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
