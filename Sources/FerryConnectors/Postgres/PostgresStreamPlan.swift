/// Where one configured stream lands: its raw and final tables, typed columns, primary
/// key and cursor columns, and whether an overwrite writes into temporary tables first.
import AirbyteProtocol
import KubeCore

struct PostgresStreamPlan: Sendable {
    var stream: ConfiguredStream
    var columns: [PostgresColumn]
    var schema: String
    /// The final table's name when the run is over.
    var finalName: String
    /// The final table written during the run (`<name>_ferry_tmp` for overwrites).
    var finalTable: String
    var rawSchema: String
    var rawName: String
    var rawTable: String
    /// Overwrite modes: the tables written are swapped in at the end of a successful run.
    var swapsAtEnd: Bool
    var dedup: Bool
    var primaryKey: [String]
    var cursor: String?
    /// The session's temporary table COPY loads into (`ON COMMIT DELETE ROWS`).
    var stageTable: String

    init(stream: ConfiguredStream, index: Int, config: PostgresDestinationConfig) throws(ConnectorError) {
        self.stream = stream
        columns = PostgresTyping.columns(of: stream.jsonSchema)
        schema = PostgresNaming.truncated(stream.descriptor.namespace ?? config.schema)
        let mode = stream.destinationSyncMode
        swapsAtEnd = mode == .overwrite || mode == .overwriteDedup
        dedup = mode == .appendDedup || mode == .overwriteDedup
        finalName = PostgresNaming.finalTable(stream.descriptor.name, temporary: false)
        finalTable = PostgresNaming.finalTable(stream.descriptor.name, temporary: swapsAtEnd)
        rawSchema = PostgresNaming.truncated(config.rawSchema)
        rawName = PostgresNaming.rawTable(schema: schema, stream: stream.descriptor.name, temporary: false)
        rawTable = PostgresNaming.rawTable(schema: schema, stream: stream.descriptor.name, temporary: swapsAtEnd)
        stageTable = "ferry_stage_\(index)"
        let names = Set(columns.map(\.name))
        var key: [String] = []
        if dedup {
            guard !stream.primaryKey.isEmpty else {
                throw ConnectorError("stream \(stream.descriptor): \(mode.rawValue) needs a primary key")
            }
            for path in stream.primaryKey {
                guard path.count == 1, let name = path.first, names.contains(name) else {
                    throw ConnectorError("stream \(stream.descriptor): primary key \(path.joined(separator: ".")) must be a top-level property of the stream's json_schema")
                }
                key.append(name)
            }
        }
        primaryKey = key
        // A nested or undeclared cursor cannot be compared in SQL: extraction order decides.
        cursor = stream.cursorField.count == 1 && names.contains(stream.cursorField[0]) ? stream.cursorField[0] : nil
    }

    /// The stage column holding property `name` (`c<index>`: stage names need no quoting).
    func stageColumn(_ name: String) -> String? {
        columns.firstIndex { $0.name == name }.map { "c\($0)" }
    }
}
