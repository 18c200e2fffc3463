/// Bad manifests: streams, Syncs, WorkerPools and documents (see BadManifestTests.swift).

extension BadManifestTable {
    static let streamsPoolsAndDocuments: [BadManifest] = [
    BadManifest("incremental with overwrite", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams:
                - {name: users, syncMode: incremental, cursorField: [updated_at], destinationSyncMode: overwrite}
            """, expected: [
            "Connection/c: spec.streams[0].destinationSyncMode: Unsupported value: \"overwrite\": incremental streams support: \"append\", \"append_dedup\"",
        ]),
    BadManifest("duplicate streams", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              streams:
                - {name: users}
                - {name: users}
            """, expected: [
            "Connection/c: spec.streams[1].name: Duplicate value: \"users\": already configured by spec.streams[0]",
        ]),
    BadManifest("custom namespace without format", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              namespaceDefinition: custom
            """, expected: [
            "Connection/c: spec.namespaceFormat: Required value: namespaceFormat is required when namespaceDefinition is custom",
        ]),
    BadManifest("backoff max below initial", server: .accepts, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              retry: {backoff: {initialSeconds: 60, maxSeconds: 10}}
            """, expected: [
            "Connection/c: spec.retry.backoff.maxSeconds: Invalid value: 10: must be greater than or equal to initialSeconds (60)",
        ]),
    BadManifest("invalid quantity", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              resources: {requests: {cpu: lots}}
            """, expected: [
            "Source/s: spec.resources.requests.cpu: Invalid value: \"lots\": spec.resources.requests.cpu in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'",
        ]),
    BadManifest("check interval is not a duration", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s}
            spec:
              image: airbyte/source-postgres:3.6.28
              check: {interval: soon}
            """, expected: [
            "Source/s: spec.check.interval: Invalid value: \"soon\": spec.check.interval in body should match '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$'",
        ]),
    BadManifest("Sync schedule trigger without time", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: manual}
            spec:
              connectionRef: {name: c}
              trigger: schedule
            """, expected: [
            "Sync/manual: spec.scheduledTime: Required value: scheduledTime is required when trigger is schedule",
        ]),
    BadManifest("Sync scheduledTime is not a time", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: manual}
            spec:
              connectionRef: {name: c}
              trigger: schedule
              scheduledTime: yesterday
            """, expected: [
            "Sync/manual: spec.scheduledTime: Invalid value: \"yesterday\": spec.scheduledTime in body must be of type date-time: \"yesterday\"",
        ]),
    BadManifest("minWorkers above maxWorkers", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: p}
            spec:
              autoscaling: {minWorkers: 5, maxWorkers: 2}
            """, expected: [
            "WorkerPool/p: spec.autoscaling.minWorkers: Invalid value: \"object\": minWorkers must be less than or equal to maxWorkers",
        ]),
    BadManifest("Resource metric without resource", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: p}
            spec:
              autoscaling:
                maxWorkers: 3
                metrics: [{type: Resource}]
            """, expected: [
            "WorkerPool/p: spec.autoscaling.metrics[0].resource: Required value: resource is required for type Resource",
        ]),
    BadManifest("metric target with both values", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: p}
            spec:
              autoscaling:
                maxWorkers: 3
                metrics: [{type: Queue, target: {averageValue: 1, averageUtilization: 50}}]
            """, expected: [
            "WorkerPool/p: spec.autoscaling.metrics[0].target: Invalid value: \"object\": exactly one of averageValue or averageUtilization must be set",
            "WorkerPool/p: spec.autoscaling.metrics[0].target.averageUtilization: Forbidden: type Queue uses averageValue (syncs per worker)",
        ]),
    BadManifest("policy period too long", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: p}
            spec:
              autoscaling:
                maxWorkers: 3
                behavior: {scaleUp: {policies: [{type: Pods, value: 1, periodSeconds: 3600}]}}
            """, expected: [
            "WorkerPool/p: spec.autoscaling.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 3600: spec.autoscaling.behavior.scaleUp.policies[0].periodSeconds in body should be less than or equal to 1800",
        ]),
    BadManifest("unknown field", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: c}
            spec:
              sourceRef: {name: s}
              destinationRef: {name: d}
              sheduel: {cron: "0 * * * *"}
            """, expected: [
            "Connection/c: spec.sheduel: unknown field \"spec.sheduel\"",
        ]),
    BadManifest("bad object name", server: .rejects, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: Bad_Name}
            spec: {workers: 1}
            """, expected: [
            "WorkerPool/Bad_Name: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ]),
    BadManifest("unknown apiVersion", server: .notSent, yaml: """
            apiVersion: ferry.dev/v1
            kind: Source
            metadata: {name: s}
            spec: {image: x}
            """, expected: [
            "Source/s: apiVersion: Unsupported value: \"ferry.dev/v1\": supported values: \"ferry.dev/v1alpha1\"",
        ]),
    BadManifest("unknown kind", server: .notSent, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Pipeline
            metadata: {name: p}
            spec: {}
            """, expected: [
            "Pipeline/p: kind: Unsupported value: \"Pipeline\": supported values: Source, Destination, Connection, Sync, WorkerPool",
        ]),
    BadManifest("malformed YAML", server: .notSent, yaml: """
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: s
            spec: {image: x}
            """, expected: [
            "document 1: (document): invalid YAML: 4:5: error: parser: while parsing a flow mapping in line 3, column 11 did not find expected ',' or '}': spec: {image: x}",
        ]),
    ]
}
