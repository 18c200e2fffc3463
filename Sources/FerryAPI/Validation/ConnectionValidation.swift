/// Semantic rules for Connection: schedule syntax and time zone, the configured catalog
/// (cursor for incremental, primary key for dedup, valid mode pairs), retry and timeouts.
import KubeCore
import KubeMachinery

extension FerryValidation {
    public static func validate(_ connection: Connection, context: Context = .init()) -> [FieldError] {
        let spec = connection.spec
        var errors = validateMetadata(connection.metadata)
        if let schedule = spec.schedule { errors += validate(schedule) }
        errors += validateStreams(spec.streams ?? [], catalog: context.catalogs[spec.sourceRef.name])
        if spec.namespaceDefinition == .custom, (spec.namespaceFormat ?? "").isEmpty {
            errors.append(FieldError(.required, path: "spec.namespaceFormat", detail: "namespaceDefinition custom needs a namespaceFormat"))
        }
        if let b = spec.retry?.backoff, let initial = b.initialSeconds, let max = b.maxSeconds, max < initial {
            errors.append(FieldError(.invalid, path: "spec.retry.backoff.maxSeconds", value: .int(Int64(max)), detail: "must be greater than or equal to initialSeconds (\(initial))"))
        }
        if let t = spec.timeouts {
            errors += positiveDuration(t.attempt, path: "spec.timeouts.attempt", example: "72h")
            errors += positiveDuration(t.sourceSilence, path: "spec.timeouts.sourceSilence", example: "3h")
            errors += positiveDuration(t.podStart, path: "spec.timeouts.podStart", example: "15m")
        }
        return errors
    }

    static func validate(_ schedule: Schedule) -> [FieldError] {
        var errors: [FieldError] = []
        switch (schedule.cron, schedule.every) {
        case (nil, nil):
            errors.append(FieldError(.required, path: "spec.schedule", detail: "set cron or every, or omit schedule for manual syncs only"))
        case (.some, .some):
            // Same path and words as the schema's CEL rule, so both layers report it alike.
            errors.append(FieldError(.invalid, path: "spec.schedule", value: .object([:]), detail: "exactly one of cron or every must be set"))
        default:
            break
        }
        if let cron = schedule.cron, let problem = CronSyntax.problem(in: cron) {
            errors.append(FieldError(.invalid, path: "spec.schedule.cron", value: .string(cron), detail: problem))
        }
        if let zone = schedule.timeZone, let problem = TimeZoneSyntax.problem(in: zone) {
            errors.append(FieldError(.invalid, path: "spec.schedule.timeZone", value: .string(zone), detail: problem))
        }
        errors += positiveDuration(schedule.every, path: "spec.schedule.every", example: "1h")
        return errors
    }

    static func validateStreams(_ streams: [ConfiguredStream], catalog: DiscoveredCatalog?) -> [FieldError] {
        var errors: [FieldError] = []
        var seen: [String: Int] = [:]
        for (i, stream) in streams.enumerated() {
            let path = "spec.streams[\(i)]"
            let id = (stream.namespace.map { $0 + "." } ?? "") + stream.name
            if let first = seen[id] {
                errors.append(FieldError(.duplicate, path: path + ".name", value: .string(stream.name), detail: "already configured by spec.streams[\(first)]"))
            } else {
                seen[id] = i
            }
            let discovered = catalog?.streams?.first { $0.name == stream.name && $0.namespace == stream.namespace }
            if let catalog, catalog.streams != nil, discovered == nil {
                errors.append(FieldError(.notFound, path: path + ".name", value: .string(stream.name), detail: "the source's catalog has no such stream"))
            }
            let syncMode = stream.syncMode ?? .fullRefresh
            if let supported = discovered?.supportedSyncModes, !supported.contains(syncMode) {
                errors.append(FieldError(.notSupported, path: path + ".syncMode", value: .string(syncMode.rawValue), detail: "supported values: " + quoted(supported.map(\.rawValue))))
            }
            if syncMode == .incremental, (stream.cursorField ?? []).isEmpty, discovered?.sourceDefinedCursor != true {
                errors.append(FieldError(.required, path: path + ".cursorField", detail: "incremental sync needs a cursor unless the source defines one"))
            }
            if let mode = stream.destinationSyncMode {
                if syncMode == .incremental, mode == .overwrite || mode == .overwriteDedup {
                    errors.append(FieldError(.notSupported, path: path + ".destinationSyncMode", value: .string(mode.rawValue), detail: "incremental streams support: " + quoted([DestinationSyncMode.append.rawValue, DestinationSyncMode.appendDedup.rawValue])))
                }
                if mode.deduplicates, (stream.primaryKey ?? []).isEmpty, (discovered?.sourceDefinedPrimaryKey ?? []).isEmpty {
                    errors.append(FieldError(.required, path: path + ".primaryKey", detail: "\(mode.rawValue) needs a primary key unless the source defines one"))
                }
            }
        }
        return errors
    }
}
