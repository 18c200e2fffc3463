/// Bad manifests: types, enums, limits and schedules (see BadManifestTests.swift).

extension BadManifestTable {
    static let typesAndSchedules: [BadManifest] = [
    BadManifest("wrong type: suspend is a string", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              suspend: "yes please"
            """, expected: [
            "Connection/c: spec.suspend: Invalid value: \"string\": spec.suspend in body must be of type boolean: \"string\"",
        ]),
    BadManifest("wrong type: streams is an object", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams: {name: users}
            """, expected: [
            "Connection/c: spec.streams: Invalid value: \"object\": spec.streams in body must be of type array: \"object\"",
        ]),
    BadManifest("unknown enum: syncMode", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams:
                - {name: users, syncMode: sideways}
            """, expected: [
            "Connection/c: spec.streams[0].syncMode: Unsupported value: \"sideways\": supported values: \"full_refresh\", \"incremental\"",
        ]),
    BadManifest("unknown enum: concurrencyPolicy", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              concurrencyPolicy: Sometimes
            """, expected: [
            "Connection/c: spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Forbid\", \"Replace\", \"Allow\"",
        ]),
    BadManifest("unknown enum: Sync refresh", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: manual}
            spec:
              connectionRef: {name: c}
              refresh: everything
            """, expected: [
            "Sync/manual: spec.refresh: Unsupported value: \"everything\": supported values: \"none\", \"refresh\", \"clear\"",
        ]),
    BadManifest("negative limit: retry.maxTotalFailures", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              retry: {maxTotalFailures: -1}
            """, expected: [
            "Connection/c: spec.retry.maxTotalFailures: Invalid value: -1: spec.retry.maxTotalFailures in body should be greater than or equal to 0",
        ]),
    BadManifest("negative limit: startingDeadlineSeconds", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              startingDeadlineSeconds: -5
            """, expected: [
            "Connection/c: spec.startingDeadlineSeconds: Invalid value: -5: spec.startingDeadlineSeconds in body should be greater than or equal to 0",
        ]),
    BadManifest("negative limit: history.successful", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              history: {successful: -1}
            """, expected: [
            "Connection/c: spec.history.successful: Invalid value: -1: spec.history.successful in body should be greater than or equal to 0",
        ]),
    BadManifest("negative limit: WorkerPool workers", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: p}
            spec:
              workers: -1
            """, expected: [
            "WorkerPool/p: spec.workers: Invalid value: -1: spec.workers in body should be greater than or equal to 0",
        ]),
    BadManifest("bad cron: minute out of range", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "61 * * * *"}
            """, expected: [
            "Connection/c: spec.schedule.cron: Invalid value: \"61 * * * *\": field minute: 61 is out of range 0-59",
        ]),
    BadManifest("bad cron: three fields", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "* * *"}
            """, expected: [
            "Connection/c: spec.schedule.cron: Invalid value: \"* * *\": expected 5 fields (minute hour day-of-month month day-of-week) or Quartz 6-7 fields (second minute hour day-of-month month day-of-week [year]), found 3",
        ]),
    BadManifest("bad cron: Quartz with both day fields", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "0 0 12 * * MON"}
            """, expected: [
            "Connection/c: spec.schedule.cron: Invalid value: \"0 0 12 * * MON\": Quartz expressions need '?' in exactly one of day-of-month and day-of-week",
        ]),
    BadManifest("bad cron: TZ prefix", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "TZ=UTC 0 * * * *"}
            """, expected: [
            "Connection/c: spec.schedule.cron: Invalid value: \"TZ=UTC 0 * * * *\": TZ and CRON_TZ prefixes are not supported; use the timeZone field",
        ]),
    BadManifest("bad time zone", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "0 * * * *", timeZone: Mars/Olympus}
            """, expected: [
            "Connection/c: spec.schedule.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus",
        ]),
    BadManifest("time zone Local", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "0 * * * *", timeZone: Local}
            """, expected: [
            "Connection/c: spec.schedule.timeZone: Invalid value: \"Local\": must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ]),
    BadManifest("cron and every together", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {cron: "0 * * * *", every: 1h}
            """, expected: [
            "Connection/c: spec.schedule: Invalid value: \"object\": exactly one of cron or every must be set",
        ]),
    BadManifest("schedule with neither cron nor every", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {timeZone: UTC}
            """, expected: [
            "Connection/c: spec.schedule: Invalid value: \"object\": exactly one of cron or every must be set",
        ]),
    BadManifest("every is not a duration", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              schedule: {every: 1 hour}
            """, expected: [
            "Connection/c: spec.schedule.every: Invalid value: \"1 hour\": spec.schedule.every in body should match '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$'",
        ]),
    ]
}
