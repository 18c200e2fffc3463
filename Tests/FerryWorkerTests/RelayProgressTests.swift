/// Progress reports: counters, STREAM_STATUS and TRACE ESTIMATE, while running and at the end.
import Testing
import Foundation
import Synchronization
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

func estimate(_ type: String, name: String? = nil, rows: Int, bytes: Int) -> String {
    let named = name.map { #""name":"\#($0)","# } ?? ""
    return #"{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{\#(named)"type":"\#(type)","row_estimate":\#(rows),"byte_estimate":\#(bytes)}}}"#
}

func streamStatus(_ stream: String, _ status: String) -> String {
    #"{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"stream_descriptor":{"name":"\#(stream)"},"status":"\#(status)"}}}"#
}

/// Keeps every report; creates `marker` on the first mid-run report that has a record,
/// so a test's source can wait for it instead of guessing a delay.
final class ReportCollector: Sendable {
    let reports = Mutex<[RelayProgressReport]>([])
    let marker: String
    init(marker: String) { self.marker = marker }
    func receive(_ r: RelayProgressReport) {
        reports.withLock { $0.append(r) }
        if !r.finished && r.recordsEmitted > 0 { FileManager.default.createFile(atPath: marker, contents: Data()) }
    }
}

@Suite(.timeLimit(.minutes(1))) struct RelayProgressTests {
    @Test func reportCombinesCountersStatusesAndEstimates() throws {
        var p = RelayProgress()
        let users = StreamDescriptor(name: "users"), orders = StreamDescriptor(name: "orders", namespace: "shop")
        p.tracker.recordsEmitted(users, count: 3, bytes: 300)
        p.tracker.stateSent(StateMessage(json: try JSONValue.parse(state("users", 3))["state"]))
        _ = p.tracker.echoReceived(StateMessage(json: try JSONValue.parse(state("users", 3))["state"]))
        p.tracker.recordsEmitted(users, count: 1, bytes: 100)
        for line in [estimate("STREAM", name: "users", rows: 10, bytes: 1000), estimate("SYNC", rows: 50, bytes: 5000),
                     #"{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{"name":"orders","namespace":"shop","type":"STREAM","row_estimate":7}}}"#,
                     streamStatus("users", "RUNNING"), streamStatus("users", "COMPLETE")] {
            p.handle(try AirbyteMessage.decode(Array(line.utf8)), from: .source) { _, _ in }
        }
        let r = RelayProgressReport(p, elapsed: .seconds(2), finished: false)
        #expect(r.recordsEmitted == 4 && r.bytesEmitted == 400 && r.recordsCommitted == 3)
        #expect(r.stateMessagesEmitted == 1 && r.stateMessagesCommitted == 1)
        #expect(r.estimatedRecords == 50 && r.estimatedBytes == 5000)
        // Sorted by namespace then name: users (no namespace) before shop.orders.
        #expect(r.streams.map(\.descriptor) == [users, orders])
        #expect(r.streams[0].status == "COMPLETE" && r.streams[0].estimatedRecords == 10 && r.streams[0].estimatedBytes == 1000)
        #expect(r.streams[0].recordsCommitted == 3 && r.streams[0].recordsEmitted == 4)
        #expect(r.streams[1].estimatedRecords == 7 && r.streams[1].estimatedBytes == nil && r.streams[1].recordsEmitted == 0)
        let json = r.json
        #expect(json["elapsedSeconds"] == 2.0 && json["finished"] == false && json["estimatedRecords"] == 50)
        let orderJSON = try #require(json["streams"].arrayValue?.last)
        #expect(orderJSON["namespace"] == "shop" && orderJSON["estimatedRecords"] == 7)
        #expect(orderJSON.objectValue?["estimatedBytes"] == nil)
    }

    @Test func reportsWhileRunningAndOnceFinishedAtTheEnd() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let collector = ReportCollector(marker: s.path("reported"))
        let script = try s.write("source.sh", """
            echo '\(estimate("STREAM", name: "users", rows: 2, bytes: 200))'
            echo '\(record("users", 1))'
            i=0
            while [ ! -e '\(s.path("reported"))' ]; do i=$((i+1)); [ $i -gt 1000 ] && exit 9; sleep 0.01; done
            echo '\(record("users", 2))'
            echo '\(state("users", 2))'
            echo '\(streamStatus("users", "COMPLETE"))'
            """)
        let r = try await relay(source: "sh '\(script)'", destination: echoingDestination(s)) { c in
            c.progressInterval = .milliseconds(20)
            c.onProgress = { collector.receive($0) }
        }
        #expect(r.succeeded, "\(r.summary.serialized())")
        let reports = collector.reports.withLock { $0 }
        #expect(reports.filter(\.finished).count == 1)
        #expect(reports.last?.finished == true)
        let midRun = reports.dropLast()
        #expect(midRun.contains { $0.recordsEmitted == 1 && $0.streams.first?.estimatedRecords == 2 })
        let last = try #require(reports.last)
        #expect(last.recordsEmitted == 2 && last.recordsCommitted == 2 && last.stateMessagesCommitted == 1)
        #expect(last.streams.map(\.status) == ["COMPLETE"])
        #expect(last.elapsed > .zero)
    }

    @Test func withoutAnIntervalOnlyTheFinalReportArrives() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let collector = ReportCollector(marker: s.path("unused"))
        let src = try s.write("source.txt", [record("users", 1), record("orders", 1)].joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s)) { c in
            c.onProgress = { collector.receive($0) }
        }
        #expect(r.succeeded)
        let reports = collector.reports.withLock { $0 }
        #expect(reports.count == 1 && reports.first?.finished == true)
        // No state: a successful run commits everything, and the final report says so.
        #expect(reports.first?.recordsCommitted == 2 && reports.first?.streams.count == 2)
    }
}
