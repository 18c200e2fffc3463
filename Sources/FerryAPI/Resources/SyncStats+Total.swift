/// A Sync's `status.stats` is the sum over its attempts, like Airbyte's job totals:
/// records committed by a failed attempt stay committed, so they count.
extension SyncStats {
    /// Counter by counter and stream by stream (matched on name and namespace, in
    /// first-seen order); a counter no attempt reported stays nil.
    public static func total(_ attempts: [SyncStats]) -> SyncStats? {
        guard !attempts.isEmpty else { return nil }
        func sum(_ values: [Int64?]) -> Int64? {
            let present = values.compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +)
        }
        var order: [StreamKey] = []
        var streams: [StreamKey: [StreamStats]] = [:]
        for stream in attempts.flatMap({ $0.streams ?? [] }) {
            let key = StreamKey(name: stream.name, namespace: stream.namespace)
            if streams[key] == nil { order.append(key) }
            streams[key, default: []].append(stream)
        }
        let merged = order.map { key -> StreamStats in
            let parts = streams[key] ?? []
            return StreamStats(name: key.name, namespace: key.namespace, recordsEmitted: sum(parts.map(\.recordsEmitted)),
                               bytesEmitted: sum(parts.map(\.bytesEmitted)), recordsCommitted: sum(parts.map(\.recordsCommitted)))
        }
        return SyncStats(recordsEmitted: sum(attempts.map(\.recordsEmitted)), bytesEmitted: sum(attempts.map(\.bytesEmitted)),
                         recordsCommitted: sum(attempts.map(\.recordsCommitted)),
                         stateMessagesCommitted: sum(attempts.map(\.stateMessagesCommitted)),
                         streams: merged.isEmpty ? nil : merged)
    }

    private struct StreamKey: Hashable {
        var name: String
        var namespace: String?
    }
}
