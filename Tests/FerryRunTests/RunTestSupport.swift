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

/// Runs the built `ferry` with `arguments` in `directory`.
func runFerry(_ arguments: [String], in directory: ScratchDirectory, environment extra: [String: String] = [:]) async throws -> FerryOutput {
    let result = try await runFerryCommand(arguments, in: directory.path, environment: extra)
    return FerryOutput(code: result.code, stdout: result.stdout, stderr: result.stderr)
}
