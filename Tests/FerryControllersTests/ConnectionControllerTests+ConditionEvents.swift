/// Every condition change of a Connection is an Event: a Warning while a reference is
/// missing, Normal once it is Ready.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

extension ConnectionControllerTests {
    @Test func conditionChangesAreEvents() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await create(client, kind: "Connection", name: "told",
                             spec: ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"]], Connection.resourceType)
            try await waitUntil(timeout: .seconds(30)) { try await !events(client, "told", reason: "SourceNotFound").isEmpty }
            let missing = try #require(try await events(client, "told", reason: "SourceNotFound").first)
            #expect(missing["type"] == "Warning" && missing["message"] == "Ready=False: Source shop not found", "\(missing.serialized())")
            try await connectors(client)
            try await waitUntil(timeout: .seconds(30)) { try await !events(client, "told", reason: "Valid").isEmpty }
            let valid = try #require(try await events(client, "told", reason: "Valid").first)
            #expect(valid["type"] == "Normal" && valid["message"].stringValue?.hasPrefix("Ready=True: ") == true, "\(valid.serialized())")
            try await waitUntil(timeout: .seconds(30)) { try await events(client, "told", reason: "ManualOnly").first?["type"] == "Normal" }
            // The Source missing was one change, told once however often it was reconciled.
            #expect(try await events(client, "told", reason: "SourceNotFound").map { $0["count"] } == [1])
        }
    }
}
