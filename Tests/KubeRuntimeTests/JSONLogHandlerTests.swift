/// The JSON log handler: one parseable object per line with the fixed fields first and
/// the metadata as fields.
import Foundation
import KubeCore
import KubeRuntime
import Logging
import Synchronization
import Testing

@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        private let stored = Mutex<[String]>([])
        func append(_ line: String) { stored.withLock { $0.append(line) } }
        var all: [String] { stored.withLock { $0 } }
    }

    @Test func aLineIsOneJSONObjectWithTimeLevelLoggerMessageAndFields() throws {
        let time = Date(timeIntervalSince1970: 1_767_323_045.678)
        let line = JSONLogHandler.line(time: time, level: .warning, label: "ferry.sync", message: "Sync \"a\"\nfailed",
                                       metadata: ["sync": "a", "attempt": "2", "msg": "clash", "nested": ["k": ["x", "y"]]])
        #expect(line.hasPrefix(#"{"time":"2026-01-02T03:04:05.678Z","level":"warning","logger":"ferry.sync","msg":"Sync \"a\"\nfailed","#), "\(line)")
        #expect(line.hasSuffix("}\n") && line.filter { $0 == "\n" }.count == 1, "one line: \(line)")
        let json = try JSONValue.parse(line)
        #expect(json["msg"] == "Sync \"a\"\nfailed")
        #expect(json["_msg"] == "clash", "a metadata key named like a fixed field does not replace it")
        #expect(json["sync"] == "a" && json["attempt"] == "2")
        #expect(json["nested"] == ["k": ["x", "y"]])
    }

    @Test func theHandlersAndTheCallsMetadataAreMergedTheCallWinning() throws {
        let lines = Lines()
        var logger = Logger(label: "ferry.test") { label in
            JSONLogHandler(label: label, write: { lines.append($0) }, now: { Date(timeIntervalSince1970: 0) })
        }
        logger[metadataKey: "namespace"] = "default"
        logger[metadataKey: "sync"] = "old"
        logger.debug("not written: below the default info level")
        logger.info("phase changed", metadata: ["sync": "new", "phase": "Running"])
        #expect(lines.all.count == 1)
        let json = try JSONValue.parse(try #require(lines.all.first))
        #expect(json == ["time": "1970-01-01T00:00:00.000Z", "level": "info", "logger": "ferry.test", "msg": "phase changed",
                         "namespace": "default", "sync": "new", "phase": "Running"])
    }
}
