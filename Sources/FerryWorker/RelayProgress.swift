/// Everything the relay has learned so far, shared by its threads under one lock.
import AirbyteProtocol
import KubeCore

public enum ConnectorRole: String, Sendable, Hashable { case source, destination }

/// Why an attempt failed, in Airbyte's terms.
public struct RelayFailure: Sendable, Hashable {
    public enum Origin: String, Sendable, Hashable { case source, destination, relay }
    public var origin: Origin
    public var failureType: FailureType
    public var message: String
    public init(origin: Origin, failureType: FailureType, message: String) {
        self.origin = origin
        self.failureType = failureType
        self.message = message
    }
    public var json: JSONValue {
        ["origin": .string(origin.rawValue), "failureType": .string(failureType.rawValue), "message": .string(message)]
    }
}

/// Counters of lines that were not relayed.
public struct SkippedLines: Sendable, Hashable {
    public var notJSON = 0
    public var notAirbyteMessage = 0
    public var unknownStream = 0
    public var oversized = 0
    public var unexpectedType = 0
    public var total: Int { notJSON + notAirbyteMessage + unknownStream + oversized + unexpectedType }
    public var json: JSONValue {
        ["notJSON": .int(Int64(notJSON)), "notAirbyteMessage": .int(Int64(notAirbyteMessage)), "unknownStream": .int(Int64(unknownStream)),
         "oversized": .int(Int64(oversized)), "unexpectedType": .int(Int64(unexpectedType)), "total": .int(Int64(total))]
    }
}

public struct RelayProgress: Sendable {
    public var tracker = StateTracker()
    public var sourceSkipped = SkippedLines()
    public var destinationSkipped = SkippedLines()
    /// Streams seen in records but not in the catalog (first few, for the report).
    public var unknownStreams: Set<StreamDescriptor> = []
    public var sourceTraceError: RelayFailure?
    public var destinationTraceError: RelayFailure?
    public var streamStatuses: [StreamDescriptor: String] = [:]
    /// Latest TRACE ESTIMATE per stream (type STREAM) and for the sync (type SYNC).
    public var streamEstimates: [StreamDescriptor: RecordEstimate] = [:]
    public var syncEstimate = RecordEstimate()
    public var logCounts: [String: Int] = [:]
    /// Latest CONNECTOR_CONFIG per connector: surfaced to the caller (it may hold
    /// secrets, so it is never part of the JSON summary).
    public var configUpdates: [ConnectorRole: JSONValue] = [:]
    public var controlMessages = 0
    public var sourceFinished = false
    /// Bytes that reached the destination by `splice` from the source's pipe rather than
    /// copied through the relay (`RelayForwarding.splice`); not part of the summary.
    public var splicedBytes = 0

    mutating func skip(_ role: ConnectorRole, _ change: (inout SkippedLines) -> Void) {
        if role == .source { change(&sourceSkipped) } else { change(&destinationSkipped) }
    }

    /// Handles a fully decoded non-record message from either side.
    mutating func handle(_ message: AirbyteMessage, from role: ConnectorRole, logger: (String, String) -> Void) {
        switch message {
        case .trace(let t):
            switch t.kind {
            case .error:
                let f = RelayFailure(origin: role == .source ? .source : .destination, failureType: t.failureType,
                                     message: t.errorMessage ?? t.internalMessage ?? "\(role.rawValue) reported an error without a message")
                if role == .source { if sourceTraceError == nil { sourceTraceError = f } } else if destinationTraceError == nil { destinationTraceError = f }
            case .estimate: noteEstimate(t.json)
            case .streamStatus: if let d = t.stream, let s = t.streamStatus { streamStatuses[d] = s }
            case .analytics, .unknown: break
            }
        case .log(let l):
            logCounts[l.level, default: 0] += 1
            logger(l.level, "\(role.rawValue): \(l.message)")
        case .control(let c):
            controlMessages += 1
            if let config = c.connectorConfig { configUpdates[role] = config }
        case .record, .state, .spec, .connectionStatus, .catalog:
            skip(role) { $0.unexpectedType += 1 }
        }
    }
}
