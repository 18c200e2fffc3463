/// OpenAPI schema, printer columns and names of Connection.
import KubeCore

extension Schedule {
    static let schema = FieldSchema.object(
        "When scheduled syncs run: exactly one of cron or every. Omit the schedule for manual syncs only.", [
            "cron": .string("Cron expression: standard 5-field (minute hour day-of-month month day-of-week, e.g. \"0 */6 * * *\") or Quartz 6/7-field with seconds (e.g. \"0 0 */6 * * ?\"). Descriptors such as @daily are accepted. Do not put TZ= in the expression; use timeZone.", minLength: 1),
            "timeZone": .string("IANA time zone the cron expression is evaluated in, e.g. Europe/Berlin.", minLength: 1, default: "UTC"),
            "every": .duration("Fixed interval instead of cron, e.g. 1h: the first sync runs at once, the next one interval after the last sync was created (Airbyte's basic schedule)."),
        ])
        .rule("has(self.cron) != has(self.every)", message: "exactly one of cron or every must be set", reason: "FieldValueInvalid")
}

extension ConfiguredStream {
    static let schema = FieldSchema.object("A stream of the configured catalog.", required: ["name"], [
        "name": .string("Stream name, as discovered.", minLength: 1),
        "namespace": .string("Stream namespace, as discovered (e.g. a database schema)."),
        "syncMode": .enum("How the stream is read: full_refresh reads everything, incremental reads what changed since the cursor.", SyncMode.self, default: .fullRefresh),
        "destinationSyncMode": .enum("How the destination writes: overwrite, append, append_dedup or overwrite_dedup. Default: overwrite for full_refresh, append for incremental.", DestinationSyncMode.self),
        "cursorField": .strings("Field path of the cursor; required for incremental unless the source defines one.", minItems: 1),
        "primaryKey": .array("Primary key as a list of field paths; required for append_dedup and overwrite_dedup unless the source defines one.", of: .strings("A field path.", minItems: 1)),
    ])
}

extension ConnectionSpec {
    static let schema = FieldSchema.object("What to move from which Source to which Destination, and when.", required: ["sourceRef", "destinationRef"], [
        "sourceRef": LocalObjectReference.schema("The Source to read from, in the same namespace."),
        "destinationRef": LocalObjectReference.schema("The Destination to write to, in the same namespace."),
        "schedule": Schedule.schema,
        "suspend": .boolean("True stops scheduled syncs; manual syncs are still allowed.", default: false),
        "streams": .array("The configured catalog; empty means every discovered stream with default modes.", of: ConfiguredStream.schema),
        "namespaceDefinition": .enum("Where destination streams go: the source's namespace, the destination's default, or namespaceFormat.", NamespaceDefinition.self, default: .source),
        "namespaceFormat": .string("Destination namespace when namespaceDefinition is custom; ${SOURCE_NAMESPACE} is replaced by the source namespace.", minLength: 1),
        "prefix": .string("Prefix added to destination stream names.", default: ""),
        "schemaChanges": .enum("What happens when discover finds a changed source schema.", SchemaChangePolicy.self, default: .ignore),
        "concurrencyPolicy": .enum("What happens when a sync is due while one runs, as for a CronJob. Unless Allow, a Connection runs one Sync at a time: the others (manual ones too) stay Queued, oldest first.", ConcurrencyPolicy.self, default: .forbid),
        "startingDeadlineSeconds": .integer("A scheduled sync that cannot start within this many seconds of its time is skipped, as for a CronJob.", format: "int64", minimum: 0),
        "retry": FieldSchema.object("Progress-aware retry of failed attempts (Airbyte's policy).", [
            "maxSuccessiveFailures": .integer("Attempts in a row that committed nothing before the sync fails.", minimum: 0, default: 5),
            "maxTotalFailures": .integer("Attempts in total that committed nothing before the sync fails.", minimum: 0, default: 10),
            "maxAttemptsWithProgress": .integer("Attempts that committed at least one record before the sync fails.", minimum: 0, default: 20),
            "backoff": FieldSchema.object("Wait after an attempt that committed nothing; an attempt with progress resets it.", [
                "initialSeconds": .integer("First wait, in seconds.", minimum: 0, default: 10),
                "factor": .integer("Multiplier applied to the wait after each further failure.", minimum: 1, default: 3),
                "maxSeconds": .integer("Longest wait, in seconds.", minimum: 0, default: 1800),
            ]).defaulted([:]),
        ]).defaulted([:]),
        "timeouts": FieldSchema.object("Limits that fail an attempt.", [
            "attempt": .duration("An attempt running longer than this is failed.", default: "72h"),
            "sourceSilence": .duration("An attempt fails when the source sends no RECORD or STATE for this long.", default: "3h"),
            "podStart": .duration("An attempt fails when its pod is not running after this long (image pull errors, unschedulable).", default: "15m"),
        ]).defaulted([:]),
        "workerPool": .string("Name of the WorkerPool whose capacity the syncs use.", pattern: FerryPatterns.objectName, default: "default"),
        "resources": WorkerResources.schema("Resources per container of worker pods; these take precedence over the Source, Destination and WorkerPool."),
        "podTemplate": FieldSchema.object("Pod-level settings of worker pods.", [
            "labels": .stringMap("Labels added to worker pods."),
            "annotations": .stringMap("Annotations added to worker pods."),
            "nodeSelector": PodSchedulingSchemas.nodeSelector,
            "tolerations": Toleration.listSchema,
            "affinity": PodSchedulingSchemas.affinity,
            "priorityClassName": PodSchedulingSchemas.priorityClassName,
            "serviceAccountName": PodSchedulingSchemas.serviceAccountName,
            "securityContext": .freeForm("core/v1 PodSecurityContext of worker pods, passed through unchanged and validated by the Pod API."),
        ]),
        "history": FieldSchema.object("How many finished Syncs are kept.", [
            "successful": .integer("Succeeded Syncs kept.", minimum: 0, default: 3),
            "failed": .integer("Failed and cancelled Syncs kept.", minimum: 0, default: 3),
        ]).defaulted([:]),
    ])
    .rule("self.namespaceDefinition != 'custom' || has(self.namespaceFormat)", message: "namespaceFormat is required when namespaceDefinition is custom", fieldPath: ".namespaceFormat", reason: "FieldValueRequired")
}

extension Connection {
    public static let definition = ResourceDefinition(
        description: "Connection says what to move from which Source to which Destination, and when. Each run is a Sync.",
        shortNames: ["fconn"],
        spec: ConnectionSpec.schema,
        status: .object("Observed state of the Connection.", [
            "observedGeneration": .integer("metadata.generation the status describes.", format: "int64", minimum: 0),
            "conditions": Condition.listSchema.withDescription("Ready (references, schedule and streams valid, no unresolved schema change), Scheduled, and Degraded (Syncs failing since the last success, or the Connection disabled for it)."),
            "lastScheduleTime": .time("When a sync was last scheduled."),
            "nextScheduleTime": .time("When the next scheduled sync is due."),
            "lastSuccessfulSyncTime": .time("When the last successful sync completed."),
            "lastSync": .object("The most recent Sync.", required: ["name"], [
                "name": .string("Name of the Sync."),
                "phase": .enum("Phase of the Sync.", SyncPhase.self),
                "completionTime": .time("When the Sync completed."),
                "recordsCommitted": .integer("Records the destination committed.", format: "int64", minimum: 0),
            ]),
            "activeSyncs": .strings("Names of Syncs that are queued, pending or running."),
            "state": .object("Committed connector state (incremental syncs).", [
                "configMapName": .string("ConfigMap holding the state."),
                "updatedAt": .time("When the state was last committed."),
                "bytes": .integer("Size of the state in bytes.", format: "int64", minimum: 0),
            ]),
            "consecutiveFailures": .integer("Syncs failed since the last successful one (cancelled Syncs are not counted); the Connection is suspended when too many fail in a row.", format: "int64", minimum: 0),
            "firstFailureTime": .time("When the first of consecutiveFailures finished."),
            "schema": .object("The Source's discovered catalog as the Connection last accepted it; each discovery is compared with it and its changes handled per spec.schemaChanges. The first catalog seen (of a Source) is accepted as is.", [
                "source": .string("Name of the Source the catalog came from; when spec.sourceRef names another Source, its first catalog is accepted as is."),
                "discoveredAt": .time("When the accepted catalog was discovered (the Source's status.catalog.discoveredAt)."),
                "streams": .array("Streams of the accepted catalog.", of: .object("An accepted stream.", required: ["name"], [
                    "name": .string("Stream name."),
                    "namespace": .string("Stream namespace (e.g. a database schema)."),
                    "fields": .strings("Top-level field names, sorted; absent when the discovered schema listed none."),
                ])),
            ]),
            "pendingSchemaChanges": .object("Schema changes since status.schema that were not accepted: ignored (schemaChanges ignore), or waiting for the user after the Connection was suspended for them (a breaking change, or schemaChanges disable). With schemaChanges disable, setting spec.suspend to false accepts them; a breaking change keeps Ready False until spec.streams no longer needs what is gone.", [
                "discoveredAt": .time("When the catalog with these changes was discovered."),
                "count": .integer("How many changes.", format: "int64", minimum: 0),
                "changes": .strings("The changes, described (the first 20)."),
                "breaking": .string("Why the changes are breaking (a synced stream, its cursor field or its primary key gone); absent when they are not."),
            ]),
        ]),
        printerColumns: [
            PrinterColumn("Source", jsonPath: ".spec.sourceRef.name", description: "The Source."),
            PrinterColumn("Destination", jsonPath: ".spec.destinationRef.name", description: "The Destination."),
            PrinterColumn("Cron", jsonPath: ".spec.schedule.cron", description: "Cron schedule."),
            PrinterColumn("Every", jsonPath: ".spec.schedule.every", description: "Fixed-interval schedule.", priority: 1),
            PrinterColumn("Suspend", type: "boolean", jsonPath: ".spec.suspend", description: "Whether scheduled syncs are suspended.", priority: 1),
            .ready,
            PrinterColumn("Last Sync", jsonPath: ".status.lastSync.phase", description: "Phase of the most recent Sync."),
            PrinterColumn("Last Success", type: "date", jsonPath: ".status.lastSuccessfulSyncTime", description: "When the last successful sync completed."),
            .reason,
            .age,
        ]
    )
}
