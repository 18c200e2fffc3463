/// The state machine behind "a state is committed when the destination echoes it":
/// states sent to the destination are pending; an echo commits the oldest matching
/// pending state and every earlier one with the same key.
import KubeCore

/// Per-stream counters of a sync attempt.
public struct StreamStats: Sendable, Hashable {
    public var recordsEmitted = 0
    public var bytesEmitted = 0
    /// Records sent before the latest committed state covering this stream.
    public var recordsCommitted = 0
    public init() {}
}

/// What an echo from the destination did.
public enum EchoOutcome: Sendable, Hashable {
    /// Committed this many pending states (the echoed one and earlier ones of its key).
    case committed(Int)
    /// The echo repeats a state already committed (it arrived after a later one).
    case outOfOrder
    /// The echo matches nothing the relay sent.
    case unknown
}

public struct StateTracker: Sendable {
    struct Pending: Sendable {
        var key: StateKey
        /// The key and identity of the state as forwarded (renamed for a renamed stream),
        /// which is what the destination echoes.
        var echoKey: StateKey
        var echoIdentity: JSONValue
        var message: StateMessage
        /// Records emitted per stream when the state was sent (only the state's stream
        /// for STREAM state, every stream for GLOBAL/LEGACY).
        var recordsBefore: [StreamDescriptor: Int]
    }

    public private(set) var streams: [StreamDescriptor: StreamStats] = [:]
    public private(set) var committed: [StateKey: StateMessage] = [:]
    public private(set) var statesEmitted = 0
    public private(set) var statesCommitted = 0
    public private(set) var outOfOrderEchoes = 0
    public private(set) var unknownEchoes = 0
    private var pending: [Pending] = []
    private var committedIdentities: Set<JSONValue> = []

    public init() {}

    /// Starts from the state the source was given (`--state` shape), so streams that
    /// commit nothing new in this attempt keep their previous state in the output.
    public init(inputState: JSONValue?) {
        guard let input = inputState else { return }
        guard let items = input.arrayValue else {
            if input.objectValue != nil { committed[.global] = StateMessage(json: ["type": "LEGACY", "data": input]) }
            return
        }
        for item in items where item.objectValue != nil {
            let s = StateMessage(json: item)
            committed[s.key] = s
        }
    }

    public var pendingCount: Int { pending.count }

    public mutating func recordsEmitted(_ stream: StreamDescriptor, count: Int = 1, bytes: Int) {
        streams[stream, default: StreamStats()].recordsEmitted += count
        streams[stream, default: StreamStats()].bytesEmitted += bytes
    }

    /// Call before the state's bytes are written to the destination, so an echo can
    /// never arrive before its state is pending. `forwarded`: the state as the destination
    /// gets it when its stream is renamed; echoes are matched against it, while counts and
    /// the committed state stay in the source's terms (the source reads them back).
    public mutating func stateSent(_ state: StateMessage, forwardedAs forwarded: StateMessage? = nil) {
        let key = state.key
        var before: [StreamDescriptor: Int] = [:]
        switch key {
        case .stream(let d): before[d] = streams[d]?.recordsEmitted ?? 0
        case .global: for (d, s) in streams { before[d] = s.recordsEmitted }
        }
        let echoed = forwarded ?? state
        pending.append(Pending(key: key, echoKey: echoed.key, echoIdentity: echoed.identity, message: state, recordsBefore: before))
        statesEmitted += 1
    }

    public mutating func echoReceived(_ state: StateMessage) -> EchoOutcome {
        let key = state.key, identity = state.identity
        guard let index = pending.firstIndex(where: { $0.echoKey == key && $0.echoIdentity == identity }) else {
            if committedIdentities.contains(identity) { outOfOrderEchoes += 1; return .outOfOrder }
            unknownEchoes += 1
            return .unknown
        }
        let match = pending[index]
        var removed = 0
        var kept: [Pending] = []
        kept.reserveCapacity(pending.count)
        for (i, p) in pending.enumerated() {
            if i <= index && p.echoKey == key {
                removed += 1
                committedIdentities.insert(p.echoIdentity)
            } else {
                kept.append(p)
            }
        }
        pending = kept
        committed[match.key] = match.message
        statesCommitted += removed
        for (d, n) in match.recordsBefore where n > streams[d, default: StreamStats()].recordsCommitted {
            streams[d, default: StreamStats()].recordsCommitted = n
        }
        return .committed(removed)
    }

    /// A sync whose source sent no state and whose connectors both succeeded has
    /// delivered everything: the destination's exit is the only confirmation there is.
    public mutating func commitAllRecords() {
        for (d, s) in streams { streams[d]?.recordsCommitted = s.recordsEmitted }
    }

    public var recordsEmitted: Int { streams.values.reduce(0) { $0 + $1.recordsEmitted } }
    public var bytesEmitted: Int { streams.values.reduce(0) { $0 + $1.bytesEmitted } }
    public var recordsCommitted: Int { streams.values.reduce(0) { $0 + $1.recordsCommitted } }

    /// The committed state in the shape a source's `--state` takes: an array of state
    /// objects (per stream, sorted, then global), or the `data` blob of a LEGACY state.
    public var committedStateInput: JSONValue? {
        if committed.isEmpty { return nil }
        if let g = committed[.global], g.kind == .legacy, committed.count == 1 { return g.json["data"] }
        var items: [JSONValue] = []
        let streamKeys = committed.keys.compactMap { k -> StreamDescriptor? in if case .stream(let d) = k { return d }; return nil }
        for d in streamKeys.sorted() { if let s = committed[.stream(d)] { items.append(s.json) } }
        if let g = committed[.global] { items.append(g.json) }
        return .array(items)
    }
}
