/// `destination-postgres`: Airbyte's "Destinations V2" layout in PostgreSQL, a raw table
/// and a typed final table per stream, loaded with COPY; a STATE is echoed only after the
/// transaction that covers the records before it has committed.
import AirbyteProtocol
import KubeCore

public enum PostgresDestination {
    /// A load starts when this many records, or this many bytes of stage rows, are waiting.
    struct Limits {
        var records = 10_000
        var bytes = 16 << 20
    }

    public static func spec() -> AirbyteMessage {
        .spec(["documentationUrl": "https://ferry.dev/connectors/destination-postgres",
               "connectionSpecification": PostgresDestinationConfig.connectionSpecification,
               "supportsIncremental": true, "supportsNormalization": false, "supportsDBT": false,
               "supported_destination_sync_modes": ["overwrite", "append", "append_dedup", "overwrite_dedup"]])
    }

    /// Connects and runs `SELECT 1`. Blocks: call it outside Swift's cooperative pool.
    public static func check(config json: JSONValue) -> AirbyteMessage {
        do {
            let config = try PostgresDestinationConfig(json)
            let one = try runBlocking {
                let loader = try await PostgresLoader.connect(config)
                do {
                    let value = try await loader.scalar("SELECT 1", doing: "running SELECT 1 on \(config.target)")
                    await loader.close()
                    return value
                } catch {
                    await loader.close()
                    throw error
                }
            }
            guard one == 1 else { throw ConnectorError("SELECT 1 on \(config.target) did not return 1") }
            return .connectionStatus(ConnectionStatus(succeeded: true, message: nil))
        } catch let error as ConnectorError {
            return .connectionStatus(ConnectionStatus(succeeded: false, message: error.message))
        } catch {
            return .connectionStatus(ConnectionStatus(succeeded: false, message: "checking PostgreSQL: \(error)"))
        }
    }

    static func write(config json: JSONValue, catalog: ConfiguredCatalog, input: Int32, output: LineOutput,
                      limits: Limits = Limits()) throws(ConnectorError) {
        let config = try PostgresDestinationConfig(json)
        var plans: [StreamDescriptor: PostgresStreamPlan] = [:]
        var buffers: [StreamDescriptor: PostgresStageBuffer] = [:]
        for (index, stream) in catalog.streams.enumerated() {
            let plan = try PostgresStreamPlan(stream: stream, index: index, config: config)
            plans[stream.descriptor] = plan
            buffers[stream.descriptor] = PostgresStageBuffer(columns: plan.columns)
        }
        let ordered = catalog.streams.compactMap { plans[$0.descriptor] }
        let loader = try blocking { try await PostgresLoader.connect(config) }
        defer { try? blocking { await loader.close() } }
        try blocking { try await loader.setUp(ordered) }

        var waitingRecords = 0, waitingBytes = 0
        var warned: Set<StreamDescriptor> = []
        var statuses = StreamCompletion()
        var random = SystemRandomNumberGenerator()

        func loadWaiting() throws(ConnectorError) {
            guard waitingRecords > 0 else { return }
            let batches = ordered.compactMap { p -> (plan: PostgresStreamPlan, rows: [UInt8])? in
                guard let b = buffers[p.stream.descriptor], b.count > 0 else { return nil }
                return (p, b.bytes)
            }
            try blocking { try await loader.load(batches) }
            for key in Array(buffers.keys) { buffers[key]?.removeAll() }
            waitingRecords = 0
            waitingBytes = 0
        }

        try forEachLine(of: input) { line throws(ConnectorError) in
            switch LineClassifier.classify(line) {
            case .record:
                let record: RecordMessage
                do {
                    guard case .record(let decoded) = try AirbyteMessage.decode(line) else { return }
                    record = decoded
                } catch {
                    throw ConnectorError("a RECORD line is not valid JSON (\(error))", failureType: .systemError)
                }
                guard buffers[record.stream] != nil else {
                    if warned.insert(record.stream).inserted {
                        try output.write(.log(LogMessage(level: "WARN", message: "skipping records of stream \(record.stream), which is not in the catalog")))
                    }
                    return
                }
                let before = buffers[record.stream]?.bytes.count ?? 0
                buffers[record.stream]?.append(data: record.data, emittedAt: record.emittedAt,
                                               rawID: PostgresStageBuffer.randomUUID(using: &random))
                waitingBytes += (buffers[record.stream]?.bytes.count ?? 0) - before
                waitingRecords += 1
                if waitingRecords >= limits.records || waitingBytes >= limits.bytes { try loadWaiting() }
            case .message(.state):
                try loadWaiting()
                try output.write(line: line)
                try output.flush()
            case .message(.trace):
                if case .trace(let trace)? = try? AirbyteMessage.decode(line) { statuses.note(trace) }
            default:
                return
            }
        }
        try loadWaiting()
        var swapping: [PostgresStreamPlan] = []
        for p in ordered where p.swapsAtEnd {
            if statuses.completed(p.stream.descriptor) {
                swapping.append(p)
            } else {
                try output.write(.log(LogMessage(level: "WARN", message: """
                    stream \(p.stream.descriptor) did not reach COMPLETE: keeping the previous \(p.schema).\(p.finalName); \
                    this run's records stay in \(p.schema).\(p.finalTable)
                    """)))
            }
        }
        let toSwap = swapping
        try blocking { try await loader.swap(toSwap) }
        try output.flush()
    }

    /// `runBlocking` for work that throws only ConnectorError.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws(ConnectorError) -> T {
        do {
            return try runBlocking { try await body() }
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("PostgreSQL: \(error)", failureType: .systemError)
        }
    }
}

/// Which streams the source completed, from the TRACE STREAM_STATUS messages in the
/// input. Input without any stream status (a relay that forwards only records and
/// states) counts every stream as complete at end of input, as Airbyte does.
struct StreamCompletion {
    private var sawStatus = false
    private var complete: Set<StreamDescriptor> = []

    mutating func note(_ trace: TraceMessage) {
        guard trace.kind == .streamStatus, let stream = trace.stream, let status = trace.streamStatus else { return }
        sawStatus = true
        if status == "COMPLETE" { complete.insert(stream) } else { complete.remove(stream) }
    }

    func completed(_ stream: StreamDescriptor) -> Bool { !sawStatus || complete.contains(stream) }
}
