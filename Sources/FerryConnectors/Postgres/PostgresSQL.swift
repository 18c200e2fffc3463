/// The SQL `destination-postgres` runs, as pure functions of a stream's plan.
enum PostgresSQL {
    typealias N = PostgresNaming

    static func raw(_ p: PostgresStreamPlan) -> String { N.qualified(p.rawSchema, p.rawTable) }
    static func final(_ p: PostgresStreamPlan) -> String { N.qualified(p.schema, p.finalTable) }

    /// Schemas, tables (fresh temporary ones for overwrites), new columns of an existing
    /// final table, the dedup index, and the session's stage table.
    static func setup(_ p: PostgresStreamPlan) -> [String] {
        var sql = ["CREATE SCHEMA IF NOT EXISTS \(N.quote(p.rawSchema))", "CREATE SCHEMA IF NOT EXISTS \(N.quote(p.schema))"]
        if p.swapsAtEnd {
            sql.append("DROP TABLE IF EXISTS \(raw(p))")
            sql.append("DROP TABLE IF EXISTS \(final(p))")
        }
        sql.append("""
            CREATE TABLE IF NOT EXISTS \(raw(p)) (_airbyte_raw_id uuid NOT NULL, _airbyte_extracted_at timestamptz NOT NULL, \
            _airbyte_loaded_at timestamptz, _airbyte_data jsonb NOT NULL, _airbyte_generation_id bigint)
            """)
        let typed = p.columns.map { "\(N.quote($0.name)) \($0.type.rawValue)" }
        let meta = ["_airbyte_raw_id uuid NOT NULL", "_airbyte_extracted_at timestamptz NOT NULL", "_airbyte_meta jsonb NOT NULL"]
        sql.append("CREATE TABLE IF NOT EXISTS \(final(p)) (\((typed + meta).joined(separator: ", ")))")
        if !p.swapsAtEnd {
            for column in typed { sql.append("ALTER TABLE \(final(p)) ADD COLUMN IF NOT EXISTS \(column)") }
        }
        if p.dedup {
            let keys = p.primaryKey.map(N.quote).joined(separator: ", ")
            if p.swapsAtEnd {
                // A fresh table: an unnamed index, so the name cannot clash with the index
                // of the table it replaces (index names are per schema and survive renames).
                sql.append("CREATE INDEX ON \(final(p)) (\(keys))")
            } else {
                let index = N.quote(N.truncated(p.finalTable, limit: N.identifierLimit - 9) + "_ferry_pk")
                sql.append("CREATE INDEX IF NOT EXISTS \(index) ON \(final(p)) (\(keys))")
            }
        }
        let stageTyped = p.columns.enumerated().map { "c\($0.offset) \($0.element.type.rawValue)" }
        let stage = ["_ferry_seq bigint", "_airbyte_raw_id uuid", "_airbyte_extracted_at timestamptz", "_airbyte_data jsonb", "_airbyte_meta jsonb"] + stageTyped
        sql.append("CREATE TEMP TABLE IF NOT EXISTS \(p.stageTable) (\(stage.joined(separator: ", "))) ON COMMIT DELETE ROWS")
        return sql
    }

    /// After COPY into the stage table: the raw rows, then the typed (and deduplicated) rows.
    static func load(_ p: PostgresStreamPlan) -> [String] {
        let toRaw = """
            INSERT INTO \(raw(p)) (_airbyte_raw_id, _airbyte_extracted_at, _airbyte_loaded_at, _airbyte_data, _airbyte_generation_id) \
            SELECT _airbyte_raw_id, _airbyte_extracted_at, now(), _airbyte_data, 0 FROM \(p.stageTable)
            """
        let targetColumns = (p.columns.map { N.quote($0.name) } + PostgresTyping.metaColumns).joined(separator: ", ")
        let sourceColumns = (p.columns.indices.map { "w.c\($0)" } + PostgresTyping.metaColumns.map { "w.\($0)" }).joined(separator: ", ")
        guard p.dedup else {
            return [toRaw, "INSERT INTO \(final(p)) (\(targetColumns)) SELECT \(sourceColumns) FROM \(p.stageTable) w"]
        }
        return [toRaw, dedupInsert(p, targetColumns: targetColumns, sourceColumns: sourceColumns)]
    }

    /// One statement: the latest record per key in the batch (`w`) replaces the final
    /// table's row for that key unless the existing row is later (cursor, then
    /// extraction time; a tie goes to the new record). A NULL key never matches the final
    /// table, so such records are deduplicated only within their batch.
    static func dedupInsert(_ p: PostgresStreamPlan, targetColumns: String, sourceColumns: String) -> String {
        let keyStage = p.primaryKey.compactMap(p.stageColumn)
        let keyMatch = zip(p.primaryKey, keyStage).map { "f.\(N.quote($0)) = w.\($1)" }.joined(separator: " AND ")
        var order = keyStage
        var beats = "f._airbyte_extracted_at > w._airbyte_extracted_at"
        if let cursor = p.cursor, let c = p.stageColumn(cursor) {
            order.append("\(c) DESC NULLS LAST")
            let fc = "f.\(N.quote(cursor))"
            beats = "(\(fc) > w.\(c) OR (\(fc) IS NOT NULL AND w.\(c) IS NULL) OR (\(fc) IS NOT DISTINCT FROM w.\(c) AND \(beats)))"
        }
        // NULL comparisons must not leave a row both undeleted and re-inserted.
        beats = "COALESCE(\(beats), false)"
        order += ["_airbyte_extracted_at DESC", "_ferry_seq DESC"]
        return """
            WITH w AS (SELECT DISTINCT ON (\(keyStage.joined(separator: ", "))) * FROM \(p.stageTable) ORDER BY \(order.joined(separator: ", "))), \
            d AS (DELETE FROM \(final(p)) f USING w WHERE \(keyMatch) AND NOT \(beats)) \
            INSERT INTO \(final(p)) (\(targetColumns)) SELECT \(sourceColumns) FROM w \
            WHERE NOT EXISTS (SELECT 1 FROM \(final(p)) f WHERE \(keyMatch) AND \(beats))
            """
    }

    /// At the end of a successful overwrite: the run's tables replace the old ones.
    static func swap(_ p: PostgresStreamPlan) -> [String] {
        guard p.swapsAtEnd else { return [] }
        return [
            "DROP TABLE IF EXISTS \(N.qualified(p.schema, p.finalName))",
            "ALTER TABLE \(final(p)) RENAME TO \(N.quote(p.finalName))",
            "DROP TABLE IF EXISTS \(N.qualified(p.rawSchema, p.rawName))",
            "ALTER TABLE \(raw(p)) RENAME TO \(N.quote(p.rawName))",
        ]
    }
}
