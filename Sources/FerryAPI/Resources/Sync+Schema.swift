/// OpenAPI schema, printer columns and names of Sync. The spec is immutable except for
/// `cancel`, which can only go from false to true (CEL transition rules).
import KubeCore

extension SyncSpec {
    static let schema = FieldSchema.object("Which Connection to run, and how. Immutable except cancel.", required: ["connectionRef"], [
        "connectionRef": LocalObjectReference.schema("The Connection this Sync runs, in the same namespace.")
            .rule("self == oldSelf", message: "connectionRef is immutable"),
        "trigger": .enum("Why the Sync exists: created by hand (manual) or by the schedule.", SyncTrigger.self, default: .manual)
            .rule("self == oldSelf", message: "trigger is immutable"),
        "scheduledTime": .time("The schedule time this Sync was created for (trigger schedule).")
            .rule("self == oldSelf", message: "scheduledTime is immutable"),
        "refresh": .enum("none uses the committed state; refresh ignores it and re-reads everything; clear empties the destination streams and resets the state without reading.", RefreshMode.self, default: RefreshMode.none)
            .rule("self == oldSelf", message: "refresh is immutable"),
        "cancel": .boolean("Set to true to cancel: the worker pod is stopped and the phase becomes Cancelled. Cannot be undone.", default: false)
            .rule("self || !oldSelf", message: "cancel cannot be unset once true"),
    ])
    .rule("self.trigger != 'schedule' || has(self.scheduledTime)", message: "scheduledTime is required when trigger is schedule", fieldPath: ".scheduledTime", reason: "FieldValueRequired")
    .rule("has(self.scheduledTime) == has(oldSelf.scheduledTime)", message: "scheduledTime is immutable", fieldPath: ".scheduledTime")
}

extension Sync {
    public static let definition = ResourceDefinition(
        description: "Sync is one run of a Connection, as a Job is one run of a CronJob. It is owned by its Connection.",
        shortNames: ["fsync"],
        spec: SyncSpec.schema,
        status: .object("Observed state of the Sync.", [
            "observedGeneration": .integer("metadata.generation the status describes.", format: "int64", minimum: 0),
            "phase": .enum("Queued (waiting for worker capacity), Pending (pod created), Running, Succeeded, Failed or Cancelled.", SyncPhase.self),
            "queuedTime": .time("When the Sync was queued."),
            "startTime": .time("When the first attempt started running."),
            "completionTime": .time("When the Sync finished."),
            "duration": .duration("Wall time from startTime to completionTime, e.g. 3m12s."),
            "attempts": .array("One entry per worker pod, oldest first.", of: .object("An attempt.", required: ["number"], [
                "number": .integer("Attempt number, from 1.", minimum: 1),
                "podName": .string("Name of the attempt's worker pod (<sync>-<number>)."),
                "phase": .enum("Phase of the attempt.", SyncPhase.self),
                "startTime": .time("When the attempt's pod started running."),
                "completionTime": .time("When the attempt finished."),
                "reason": .string("Machine-readable reason the attempt ended."),
                "message": .string("Human-readable details of how the attempt ended."),
                "recordsCommitted": .integer("Records the destination committed during this attempt; an attempt with progress resets the retry backoff.", format: "int64", minimum: 0),
                "stats": SyncStats.schema("What this attempt moved, as its worker last reported."),
            ])),
            "stats": SyncStats.schema("What the Sync moved: the sum over its attempts."),
            "conditions": Condition.listSchema.withDescription("Complete or Failed, with a reason."),
        ]),
        printerColumns: [
            PrinterColumn("Connection", jsonPath: ".spec.connectionRef.name", description: "The Connection."),
            PrinterColumn("Phase", jsonPath: ".status.phase", description: "Phase of the Sync."),
            PrinterColumn("Records", type: "integer", jsonPath: ".status.stats.recordsCommitted", description: "Records committed."),
            PrinterColumn("Duration", jsonPath: ".status.duration", description: "Wall time of the Sync."),
            PrinterColumn("Trigger", jsonPath: ".spec.trigger", description: "manual or schedule.", priority: 1),
            .age,
        ]
    )
}

extension SyncStats {
    /// The schema of a Sync's `status.stats` and of each attempt's `stats`.
    static func schema(_ description: String) -> FieldSchema {
        .object(description, [
            "recordsEmitted": .integer("Records the source emitted.", format: "int64", minimum: 0),
            "bytesEmitted": .integer("Bytes the source emitted.", format: "int64", minimum: 0),
            "recordsCommitted": .integer("Records the destination committed.", format: "int64", minimum: 0),
            "stateMessagesCommitted": .integer("State messages the destination committed.", format: "int64", minimum: 0),
            "streams": .array("Per-stream counts.", of: .object("Counts of one stream.", required: ["name"], [
                "name": .string("Stream name."),
                "namespace": .string("Stream namespace."),
                "recordsEmitted": .integer("Records the source emitted.", format: "int64", minimum: 0),
                "bytesEmitted": .integer("Bytes the source emitted.", format: "int64", minimum: 0),
                "recordsCommitted": .integer("Records the destination committed.", format: "int64", minimum: 0),
            ])),
        ])
    }
}
