/// Progress reports the relay hands its caller while it runs and once at the end:
/// counters, per-stream STREAM_STATUS, and the sources' TRACE ESTIMATEs.
import AirbyteProtocol
import KubeCore

/// A source's estimate of how much it will emit (TRACE ESTIMATE), for one stream or the sync.
public struct RecordEstimate: Sendable, Hashable {
    public var records: Int?
    public var bytes: Int?
    public init(records: Int? = nil, bytes: Int? = nil) {
        self.records = records
        self.bytes = bytes
    }
}

/// One stream's progress.
public struct StreamProgress: Sendable, Hashable {
    public var descriptor: StreamDescriptor
    public var recordsEmitted = 0
    public var bytesEmitted = 0
    public var recordsCommitted = 0
    /// The latest STREAM_STATUS (STARTED, RUNNING, COMPLETE, INCOMPLETE), if any.
    public var status: String?
    public var estimatedRecords: Int?
    public var estimatedBytes: Int?

    public init(descriptor: StreamDescriptor) { self.descriptor = descriptor }

    public var json: JSONValue {
        var o: JSONValue = ["name": .string(descriptor.name), "recordsEmitted": .int(Int64(recordsEmitted)),
                            "bytesEmitted": .int(Int64(bytesEmitted)), "recordsCommitted": .int(Int64(recordsCommitted))]
        if let ns = descriptor.namespace { o["namespace"] = .string(ns) }
        if let status { o["status"] = .string(status) }
        if let estimatedRecords { o["estimatedRecords"] = .int(Int64(estimatedRecords)) }
        if let estimatedBytes { o["estimatedBytes"] = .int(Int64(estimatedBytes)) }
        return o
    }
}

/// What the relay reports every `progressInterval` and once with `finished` set.
public struct RelayProgressReport: Sendable, Hashable {
    public var elapsed: Duration
    public var recordsEmitted = 0
    public var bytesEmitted = 0
    public var recordsCommitted = 0
    public var stateMessagesEmitted = 0
    public var stateMessagesCommitted = 0
    /// From SYNC-type ESTIMATEs.
    public var estimatedRecords: Int?
    public var estimatedBytes: Int?
    /// Sorted by namespace, then name.
    public var streams: [StreamProgress] = []
    /// True for the last report, after both connectors finished.
    public var finished: Bool

    public init(elapsed: Duration, finished: Bool) {
        self.elapsed = elapsed
        self.finished = finished
    }

    /// The report built from the relay's shared progress.
    public init(_ p: RelayProgress, elapsed: Duration, finished: Bool) {
        self.init(elapsed: elapsed, finished: finished)
        let t = p.tracker
        recordsEmitted = t.recordsEmitted
        bytesEmitted = t.bytesEmitted
        recordsCommitted = t.recordsCommitted
        stateMessagesEmitted = t.statesEmitted
        stateMessagesCommitted = t.statesCommitted
        estimatedRecords = p.syncEstimate.records
        estimatedBytes = p.syncEstimate.bytes
        var byStream: [StreamDescriptor: StreamProgress] = [:]
        for (d, s) in t.streams {
            var sp = StreamProgress(descriptor: d)
            sp.recordsEmitted = s.recordsEmitted
            sp.bytesEmitted = s.bytesEmitted
            sp.recordsCommitted = s.recordsCommitted
            byStream[d] = sp
        }
        for (d, status) in p.streamStatuses { byStream[d, default: StreamProgress(descriptor: d)].status = status }
        for (d, e) in p.streamEstimates {
            byStream[d, default: StreamProgress(descriptor: d)].estimatedRecords = e.records
            byStream[d, default: StreamProgress(descriptor: d)].estimatedBytes = e.bytes
        }
        streams = byStream.values.sorted { $0.descriptor < $1.descriptor }
    }

    public var json: JSONValue {
        var o: JSONValue = [
            "elapsedSeconds": .double(Double(elapsed.nanoseconds) / 1e9),
            "recordsEmitted": .int(Int64(recordsEmitted)), "bytesEmitted": .int(Int64(bytesEmitted)),
            "recordsCommitted": .int(Int64(recordsCommitted)),
            "stateMessagesEmitted": .int(Int64(stateMessagesEmitted)),
            "stateMessagesCommitted": .int(Int64(stateMessagesCommitted)),
            "streams": .array(streams.map(\.json)), "finished": .bool(finished),
        ]
        if let estimatedRecords { o["estimatedRecords"] = .int(Int64(estimatedRecords)) }
        if let estimatedBytes { o["estimatedBytes"] = .int(Int64(estimatedBytes)) }
        return o
    }
}

extension RelayProgress {
    /// Records an ESTIMATE trace: STREAM estimates per stream, SYNC estimates for the whole sync.
    mutating func noteEstimate(_ trace: JSONValue) {
        let e = trace["estimate"]
        let estimate = RecordEstimate(records: e["row_estimate"].intValue.map { Int($0) },
                                      bytes: e["byte_estimate"].intValue.map { Int($0) })
        if e["type"].stringValue == "SYNC" {
            syncEstimate = estimate
        } else if let name = e["name"].stringValue {
            streamEstimates[StreamDescriptor(name: name, namespace: e["namespace"].stringValue)] = estimate
        }
    }
}
