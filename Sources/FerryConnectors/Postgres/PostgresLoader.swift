/// `destination-postgres`'s database side: one connection, one transaction per load
/// (COPY into the stage tables, then raw and final tables), and the overwrite swap.
import AirbyteProtocol
import Logging
import PostgresNIO

final class PostgresLoader: Sendable {
    let connection: PostgresConnection
    let config: PostgresDestinationConfig
    let logger: Logger

    private init(connection: PostgresConnection, config: PostgresDestinationConfig, logger: Logger) {
        self.connection = connection
        self.config = config
        self.logger = logger
    }

    /// Connects and sets the session up: UTC, so timestamps without an offset are UTC.
    static func connect(_ config: PostgresDestinationConfig) async throws(ConnectorError) -> PostgresLoader {
        var logger = Logger(label: "ferry.destination-postgres")
        logger.logLevel = .critical
        let configuration = try config.connectionConfiguration()
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw ConnectorError(config.redacting("connecting to PostgreSQL at \(config.target): \(describe(error))"))
        }
        let loader = PostgresLoader(connection: connection, config: config, logger: logger)
        try await loader.execute("SET TIME ZONE 'UTC'", doing: "setting the session time zone")
        return loader
    }

    func close() async {
        try? await connection.close()
    }

    /// Runs one statement and drains its rows; a failure names what was being done.
    func execute(_ sql: String, doing what: String) async throws(ConnectorError) {
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await _ in rows {}
        } catch {
            throw ConnectorError(config.redacting("\(what): \(Self.describe(error))"), failureType: .systemError)
        }
    }

    /// The first column of the first row of `sql`, as an integer (checks and tests).
    func scalar(_ sql: String, doing what: String) async throws(ConnectorError) -> Int? {
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            var value: Int?
            for try await row in rows where value == nil { value = try row.decode(Int.self) }
            return value
        } catch {
            throw ConnectorError(config.redacting("\(what): \(Self.describe(error))"), failureType: .systemError)
        }
    }

    func setUp(_ plans: [PostgresStreamPlan]) async throws(ConnectorError) {
        for p in plans {
            for sql in PostgresSQL.setup(p) { try await execute(sql, doing: "preparing tables of stream \(p.stream.descriptor)") }
        }
    }

    /// Loads every non-empty batch in one transaction: after COMMIT all of them are in
    /// both tables, after a failure none is.
    func load(_ batches: [(plan: PostgresStreamPlan, rows: [UInt8])]) async throws(ConnectorError) {
        guard !batches.isEmpty else { return }
        try await transaction(doing: "loading records") {
            for (plan, rows) in batches {
                do {
                    try await connection.copyFrom(table: plan.stageTable, logger: logger) { writer in
                        try await writer.write(ByteBuffer(bytes: rows))
                    }
                } catch {
                    throw ConnectorError(config.redacting("copying records of stream \(plan.stream.descriptor) into PostgreSQL: \(Self.describe(error))"),
                                         failureType: .systemError)
                }
                for sql in PostgresSQL.load(plan) {
                    try await execute(sql, doing: "writing records of stream \(plan.stream.descriptor) to \(plan.schema).\(plan.finalTable)")
                }
            }
        }
    }

    /// Replaces the old final and raw tables of overwrite streams with this run's.
    func swap(_ plans: [PostgresStreamPlan]) async throws(ConnectorError) {
        let swapping = plans.filter(\.swapsAtEnd)
        guard !swapping.isEmpty else { return }
        try await transaction(doing: "swapping in the overwritten tables") {
            for p in swapping {
                for sql in PostgresSQL.swap(p) { try await execute(sql, doing: "swapping in \(p.schema).\(p.finalName)") }
            }
        }
    }

    private func transaction(doing what: String, _ body: () async throws -> Void) async throws(ConnectorError) {
        try await execute("BEGIN", doing: what)
        do {
            try await body()
        } catch {
            try? await execute("ROLLBACK", doing: what)
            if let error = error as? ConnectorError { throw error }
            throw ConnectorError(config.redacting("\(what): \(Self.describe(error))"), failureType: .systemError)
        }
        try await execute("COMMIT", doing: what)
    }

    /// A PostgresNIO error as text: the server's message and SQLSTATE, or the network
    /// error (PSQLError's own description hides both).
    static func describe(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return "\(error)" }
        var parts: [String] = []
        if let info = e.serverInfo {
            if let m = info[.message] { parts.append(m) }
            if let d = info[.detail] { parts.append("detail: \(d)") }
            if let s = info[.sqlState] { parts.append("SQLSTATE \(s)") }
        }
        if parts.isEmpty { parts.append(e.code.description) }
        if let u = e.underlying { parts.append("\(u)") }
        return parts.joined(separator: "; ")
    }
}
