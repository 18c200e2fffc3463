/// `ferry connector destination-postgres write` as a real process: a STATE is echoed only
/// once its records are committed, and a killed overwrite leaves the old table intact.
import Testing
import Foundation
import Synchronization
import KubeCore
import KubeTestSupport

/// Collects a pipe's output lines as they arrive.
final class LineCollector: Sendable {
    private let text = Mutex("")
    init(_ pipe: Pipe) {
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            let chunk = String(decoding: data, as: UTF8.self)
            text.withLock { $0 += chunk }
        }
    }
    var lines: [String] { text.withLock { $0.split(separator: "\n").map(String.init) } }
}

@Suite(.enabled(if: ExternalResources.postgresEnabled))
struct PostgresProcessTests {
    @Test func stateIsEchoedAfterCommitAndAKilledOverwriteKeepsTheOldTable() async throws {
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "overwrite")])
            let old = (1...3).map { recordLine("users", user($0, $0, name: "old")) }
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: old).code == 0)

            let dir = try TempDir()
            defer { dir.remove() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ExternalResources.ferryBinary)
            process.arguments = ["connector", "destination-postgres", "write",
                                 "--config", try dir.write("config.json", db.config.serialized()),
                                 "--catalog", try dir.write("catalog.json", catalog.serialized())]
            let stdin = Pipe(), stdout = Pipe()
            process.standardInput = stdin
            process.standardOutput = stdout
            let output = LineCollector(stdout)
            try process.run()
            defer { if process.isRunning { process.terminate() } }

            let batch = (10..<15).map { recordLine("users", user($0, $0, name: "new")) } + [stateLine("users", 5)]
            stdin.fileHandleForWriting.write(Data(batch.map { $0 + "\n" }.joined().utf8))
            try await waitUntil(timeout: .seconds(30)) { output.lines.contains(batch.last ?? "") }
            // At echo time the records before the STATE are committed: visible to another session.
            #expect(try await db.count("\(db.schema).users_ferry_tmp") == 5)
            #expect(try await db.count("\(db.rawSchema).\(db.schema)_raw__stream_users_ferry_tmp") == 5)

            stdin.fileHandleForWriting.write(Data((20..<22).map { recordLine("users", user($0, $0)) + "\n" }.joined().utf8))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(output.lines == [batch.last ?? ""])
            // The run never finished: the old table is still the table.
            #expect(try await db.rows("SELECT id::text, name FROM \(db.schema).users ORDER BY id") == [["1", "old"], ["2", "old"], ["3", "old"]])
            #expect(try await db.count("\(db.rawSchema).\(db.schema)_raw__stream_users") == 3)
        }
    }

    @Test func overwriteSwapsOnlyStreamsTheSourceCompleted() async throws {
        // With stream statuses in the input (as Airbyte's platform forwards them), an
        // overwrite swaps in a stream only after its COMPLETE: input cut short keeps the old table.
        try await TestDatabase.withFresh { (db: TestDatabase) async throws in
            let catalog = testCatalog([("users", "overwrite"), ("items", "overwrite")])
            let old = [recordLine("users", user(1, 1, name: "old")), recordLine("items", user(1, 1, name: "old"))]
            #expect(try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: old).code == 0)
            let cut = #"{"type":"RECORD","record":{"stream":"users","data":{"id":2,"na"#
            let out = try await runConnector("destination-postgres", "write", config: db.config, catalog: catalog, input: [
                streamStatusLine("items", "STARTED"), recordLine("items", user(5, 5, name: "new")), streamStatusLine("items", "COMPLETE"),
                streamStatusLine("users", "STARTED"), recordLine("users", user(3, 3, name: "new")), cut,
            ])
            #expect(out.code == 0)
            #expect(out.lines.contains { $0.contains("WARN") && $0.contains("users") && $0.contains("COMPLETE") })
            #expect(try await db.rows("SELECT id::text, name FROM \(db.schema).users") == [["1", "old"]])
            #expect(try await db.rows("SELECT id::text, name FROM \(db.schema).items") == [["5", "new"]])
        }
    }
}
