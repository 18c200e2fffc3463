/// Test support for `ferry run`: a scratch directory per test, and the built `ferry`
/// executable run as a real process with its stdout, stderr and exit code collected.
import Foundation
import KubeCore
import KubeTestSupport

/// A scratch directory, removed by `remove()`.
struct ScratchDirectory {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-run-test-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    @discardableResult func write(_ name: String, _ text: String) throws -> String {
        let p = path + "/" + name
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }
    func lines(_ name: String) -> [String] { (read(name) ?? "").split(separator: "\n").map(String.init) }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// What one `ferry` invocation printed and how it exited.
struct FerryOutput: CustomStringConvertible {
    var code: Int32
    var stdout: String
    var stderr: String
    var description: String { "exit \(code)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr.suffix(3000))" }

    /// The stdout lines as JSON (the non-TTY output of `ferry run`).
    var events: [JSONValue] { stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) } }
    var summary: JSONValue? { events.last { $0["event"] == "summary" } }

    /// `streams[name=...]` of the summary.
    func stream(_ name: String) -> JSONValue? { summary?["streams"].arrayValue?.first { $0["name"].stringValue == name } }
}

/// Runs the built `ferry` with `arguments` in `directory`; stdout and stderr go to files
/// there (so a chatty child never blocks on a full pipe) and are read back afterwards.
func runFerry(_ arguments: [String], in directory: ScratchDirectory, environment extra: [String: String] = [:]) async throws -> FerryOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ExternalResources.ferryBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    let id = UInt32.random(in: 0...UInt32.max)
    let outPath = directory.path + "/.stdout-\(id)", errPath = directory.path + "/.stderr-\(id)"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardInput = FileHandle.nullDevice
    let code: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    return FerryOutput(code: code, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                       stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
