/// Runs the built `ferry` executable to completion, as a user would from a shell.
import Foundation

public struct FerryCommandResult: Sendable {
    public var code: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `ferry` with `arguments` in `directory`; stdout and stderr go to files there (so
/// a chatty child never blocks on a full pipe) and are read back afterwards.
public func runFerryCommand(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) async throws -> FerryCommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ExternalResources.ferryBinary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    let id = UInt32.random(in: 0...UInt32.max)
    let outPath = directory + "/.stdout-\(id)", errPath = directory + "/.stderr-\(id)"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
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
    return FerryCommandResult(code: code, stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                              stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
