/// Runs a source's `discover` as a local process and returns its AirbyteCatalog.
import AirbyteProtocol
import Foundation
import KubeCore

enum LocalDiscover {
    /// `command` already ends with `discover --config FILE`.
    static func catalog(command: String, what: String) async throws(LocalRunError) -> JSONValue {
        let process: ChildProcess
        do { process = try ChildProcess(command: command) } catch { throw .failed("\(what): starting discover: \(error.description)") }
        close(process.stdinFD)
        let fd = process.stdoutFD
        async let stderrTail = collectTail(of: process.stderrFD, label: "discover", passThrough: true)
        let output = await onThread("discover-stdout") { readAll(fd) }
        close(fd)
        let code = await process.waitForExit()
        let tail = await stderrTail
        return try catalog(fromOutput: output, exitCode: code, stderrTail: tail, what: what)
    }

    /// The CATALOG message among the output lines; otherwise the connector's own reason.
    static func catalog(fromOutput output: [UInt8], exitCode: Int32, stderrTail: String, what: String) throws(LocalRunError) -> JSONValue {
        var catalog: JSONValue?
        var traceError: String?
        for line in output.split(separator: UInt8(ascii: "\n")) where line.contains(UInt8(ascii: "{")) {
            guard let message = try? AirbyteMessage.decode(line) else { continue }  // Connectors may print other lines.
            switch message {
            case .catalog(let c): catalog = c
            case .trace(let t) where t.kind == .error: traceError = traceError ?? t.errorMessage
            default: break
            }
        }
        if exitCode == 0, let catalog { return catalog }
        let reason = traceError ?? (stderrTail.isEmpty ? nil : stderrTail.split(whereSeparator: \.isNewline).last.map(String.init))
        let status = exitCode == 0 ? "printed no CATALOG" : "exited with code \(exitCode)"
        throw .failed("\(what): discover \(status)" + (reason.map { ": \($0)" } ?? ""))
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}
