/// Runs the real `kubectl` binary against an embedded API server, with its own
/// kubeconfig and discovery cache so tests never touch the user's.
import Foundation
import Dispatch
import KubeAPIServer

public struct KubectlResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    public var succeeded: Bool { exitCode == 0 }
}

public struct Kubectl: Sendable {
    public let kubeconfig: String
    public let cacheDirectory: String
    public let workDirectory: String

    public init(server: EmbeddedAPIServer) throws {
        try self.init { try server.writeKubeconfig(to: $0) }
    }

    /// For a server in another process: `writeKubeconfig` gets the path to write to.
    public init(writeKubeconfig: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        workDirectory = dir
        kubeconfig = dir + "/kubeconfig"
        cacheDirectory = dir + "/cache"
        try writeKubeconfig(kubeconfig)
    }

    public static var isInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/kubectl")
        }
    }

    /// Writes a manifest into the work directory and returns its path.
    public func write(_ name: String, _ contents: String) throws -> String {
        let path = workDirectory + "/" + name
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs kubectl to completion on a Dispatch thread, so the wait never blocks the
    /// cooperative pool (with two cores, blocked test tasks would starve the API server
    /// running in the same process).
    @discardableResult
    public func run(_ arguments: String..., stdin: String? = nil) async throws -> KubectlResult {
        try await run(arguments: arguments, stdin: stdin)
    }

    @discardableResult
    public func run(arguments: [String], stdin: String? = nil) async throws -> KubectlResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.runBlocking(arguments: arguments, stdin: stdin) })
            }
        }
    }

    private func runBlocking(arguments: [String], stdin: String?) throws -> KubectlResult {
        let process = try makeProcess(arguments)
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a full pipe cannot block kubectl.
        let errData = LockedData()
        let errReader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return KubectlResult(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// Starts a long-running kubectl (e.g. `get -w`) whose output is collected as it arrives.
    public func start(_ arguments: String...) throws -> BackgroundKubectl {
        let process = try makeProcess(arguments)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let collected = LockedData()
        out.fileHandleForReading.readabilityHandler = { handle in
            collected.append(handle.availableData)
        }
        try process.run()
        return BackgroundKubectl(process: process, output: collected, pipe: out)
    }

    private func makeProcess(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory, "--request-timeout", "20s"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = workDirectory
        env.removeValue(forKey: "KUBECONFIG")
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        return process
    }

    public func cleanUp() {
        try? FileManager.default.removeItem(atPath: workDirectory)
    }
}

/// A kubectl process running in the background; its stdout accumulates in `output`.
public final class BackgroundKubectl: Sendable {
    public let process: Process
    let output: LockedData
    let pipe: Pipe

    init(process: Process, output: LockedData, pipe: Pipe) {
        self.process = process
        self.output = output
        self.pipe = pipe
    }

    public var text: String { String(decoding: output.get(), as: UTF8.self) }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
    }
}

// Process and Pipe are not Sendable in corelibs Foundation; BackgroundKubectl only calls
// their thread-safe members (terminate, waitUntilExit, isRunning) and is used by one test.
extension Process: @retroactive @unchecked Sendable {}
extension Pipe: @retroactive @unchecked Sendable {}

/// Bytes appended from a reader thread and read from the test.
final class LockedData: Sendable {
    private let state = Mutex<(data: Data, isSet: Bool)>((Data(), false))
    func append(_ d: Data) { state.withLock { $0.data.append(d) } }
    func set(_ d: Data) { state.withLock { $0 = (d, true) } }
    func get() -> Data { state.withLock { $0.data } }
    var isSet: Bool { state.withLock { $0.isSet } }
}

import Synchronization
