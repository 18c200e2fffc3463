/// What the Connection reconciler does when its Source's catalog changes (Airbyte's
/// schema change handling, `spec.schemaChanges`). The catalog the Connection last accepted
/// is kept in `status.schema` (the first one seen, and the first of another Source when
/// `spec.sourceRef` changes, is accepted as is) and each reconcile
/// compares the Source's current catalog with it (SchemaChangeDetection):
/// - a breaking change suspends the Connection whatever the policy, and Ready stays False
///   (`BreakingSchemaChange`) until `spec.streams` no longer depends on what is gone;
/// - `propagate_columns` / `propagate_fully` accept the changes (every Sync builds its
///   configured catalog from the latest discovery, so accepting is recording them);
/// - `disable` suspends the Connection (Ready False, `SchemaChanged`) and setting
///   `spec.suspend` to false accepts the changes;
/// - `ignore` keeps the old snapshot and lists the changes in `status.pendingSchemaChanges`.
/// Events and suspensions happen once per set of changes, not on every reconcile or
/// rediscovery of the same catalog, so a user who resumes is not suspended again for them.
import FerryAPI
import KubeCore
import KubeRuntime

extension ConnectionConditions.Reason {
    /// Ready: a synced stream, or its cursor or primary key field, is gone from the catalog.
    public static let breakingSchemaChange = "BreakingSchemaChange"
    /// Ready: the catalog changed and `schemaChanges: disable` suspended the Connection.
    public static let schemaChanged = "SchemaChanged"
}

extension ConnectionReconciler {
    /// Event reasons besides the condition reasons.
    enum SchemaEventReason {
        static let propagated = "SchemaChangePropagated"
        static let ignored = "SchemaChangeIgnored"
        static let accepted = "SchemaChangeAccepted"
    }

    /// Folds the Source's current catalog into `status.schema` and
    /// `status.pendingSchemaChanges`, suspending the Connection when the changes call for
    /// it. Returns the Ready condition's reason and message while the changes hold the
    /// Connection back; nil otherwise (also without a Source or a catalog).
    func applySchemaChanges(_ object: inout JSONValue, _ connection: inout Connection, _ status: inout ConnectionStatus) async throws -> (reason: String, message: String)? {
        guard let source = caches.sources.store.get(namespace: object.namespace ?? "", name: connection.spec.sourceRef.name),
              let catalog = try? source["status"]["catalog"].decode(DiscoveredCatalog.self), catalog.streams != nil else { return nil }
        let current = SchemaChangeDetection.snapshot(catalog, source: connection.spec.sourceRef.name)
        // A snapshot without a Source name is from this Source: the name came later.
        guard let accepted = status.schema, (accepted.source ?? current.source) == current.source else {
            status.schema = current
            status.pendingSchemaChanges = nil
            return nil
        }
        let report = SchemaChangeDetection.detect(streams: connection.spec.streams, accepted: accepted, current: current)
        guard !report.isEmpty else {
            // Same streams and fields (or changes to streams not synced): the newer discovery.
            status.schema = current
            status.pendingSchemaChanges = nil
            return nil
        }
        let pending = Self.pending(report, discoveredAt: catalog.discoveredAt)
        let previous = status.pendingSchemaChanges
        let isNew = previous.map { ($0.count, $0.changes, $0.breaking) != (pending.count, pending.changes, pending.breaking) } ?? true
        let summary = Self.summary(pending)
        let suspendedAlready = connection.spec.isSuspended
        status.pendingSchemaChanges = pending

        if let breaking = pending.breaking {
            let message = "breaking schema change: \(breaking) (\(summary)): "
                + "spec.suspend set to true; change spec.streams so it no longer needs what is gone, then set spec.suspend to false"
            if isNew {
                if !suspendedAlready { try await suspendForSchema(&object, &connection) }
                events?.record(object, type: .warning, reason: ConnectionConditions.Reason.breakingSchemaChange, message: message)
                logger.notice("Connection \(object.namespace ?? "")/\(object.name ?? "") has a breaking schema change: \(breaking)")
            }
            return (ConnectionConditions.Reason.breakingSchemaChange, message)
        }

        switch connection.spec.effectiveSchemaChanges {
        case .propagateColumns, .propagateFully:
            accept(current, &status)
            events?.record(object, type: .normal, reason: SchemaEventReason.propagated,
                           message: "Accepted the Source's schema changes (schemaChanges \(connection.spec.effectiveSchemaChanges.rawValue)): \(summary)")
            return nil
        case .ignore:
            if isNew {
                events?.record(object, type: .normal, reason: SchemaEventReason.ignored,
                               message: "Not applying the Source's schema changes (schemaChanges ignore): \(summary)")
            }
            return nil
        case .disable:
            let message = "the Source's schema changed (\(summary)): spec.suspend set to true (schemaChanges disable); set it to false to accept the changes"
            let suspendedForThem = status.conditions?.first { $0.type == ConnectionConditions.ready }?.reason == ConnectionConditions.Reason.schemaChanged
            if !isNew, !suspendedAlready, suspendedForThem {
                // Resumed by the user: the changes are accepted.
                accept(current, &status)
                events?.record(object, type: .normal, reason: SchemaEventReason.accepted, message: "Accepted the Source's schema changes on resume: \(summary)")
                return nil
            }
            if !suspendedAlready { try await suspendForSchema(&object, &connection) }
            if isNew || !suspendedAlready {
                events?.record(object, type: .warning, reason: ConnectionConditions.Reason.schemaChanged, message: message)
            }
            return (ConnectionConditions.Reason.schemaChanged, message)
        }
    }

    func accept(_ schema: ConnectionSchema, _ status: inout ConnectionStatus) {
        status.schema = schema
        status.pendingSchemaChanges = nil
    }

    func suspendForSchema(_ object: inout JSONValue, _ connection: inout Connection) async throws {
        object = try await suspend(object)
        connection.spec.suspend = true
    }

    static func pending(_ report: SchemaChangeReport, discoveredAt: String?) -> PendingSchemaChanges {
        PendingSchemaChanges(
            discoveredAt: discoveredAt, count: Int64(report.changes.count),
            changes: report.changes.prefix(PendingSchemaChanges.maxListed).map(\.description),
            breaking: report.isBreaking ? report.breaking.map(\.description).joined(separator: "; ") : nil)
    }

    /// "3 changes: a, b, c", with a tail for those not listed.
    static func summary(_ pending: PendingSchemaChanges) -> String {
        let count = pending.count ?? 0
        let listed = pending.changes ?? []
        let more = Int(count) > listed.count ? ", and \(Int(count) - listed.count) more" : ""
        return "\(count) change\(count == 1 ? "" : "s"): \(listed.joined(separator: ", "))\(more)"
    }
}
