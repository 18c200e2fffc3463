/// The building blocks of semantic validation: cron syntax, durations, time zones, JSON
/// pointers, catalog-aware stream rules, and the defaults and condition helpers.
import FerryAPI
import KubeCore
import KubeMachinery
import Testing

@Suite("validation rules")
struct ValidationRuleTests {
    @Test("well-formed cron expressions", arguments: [
        "0 */6 * * *", "*/15 9-17 * * MON-FRI", "0 0 1 JAN,JUL *", "30 2 * * 0", "0 0 * * ?", "5,10,15 * * * *",
        "@daily", "@hourly", "@every 90m", "0 0 */6 * * ?", "0 15 10 ? * 6L", "0 0 12 L * ?", "0 0 12 15W * ?",
        "0 0 12 ? * 2#1", "0 0 0 LW * ?", "0 0 12 * * ? 2030", "0 30 1 ? * SUN-SAT",
    ])
    func cronAccepted(_ expression: String) {
        #expect(CronSyntax.problem(in: expression) == nil)
    }

    @Test("malformed cron expressions", arguments: [
        ("61 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day-of-month"), ("* * * 13 *", "month"),
        ("0 0 * * 7", "day-of-week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "starts after"), ("* * *", "found 3"),
        ("@fortnightly", "unknown descriptor"), ("@every soon", "@every"), ("0 0 12 * * MON", "'?'"),
        ("0 0 12 ? * 9#1", "day-of-week"), ("CRON_TZ=UTC 0 * * * *", "timeZone"), ("? 0 0 * * ?", "'?' is only allowed"),
    ])
    func cronRejected(_ expression: String, _ fragment: String) {
        let problem = CronSyntax.problem(in: expression)
        #expect(problem?.contains(fragment) == true, "\(expression): \(problem ?? "accepted")")
    }

    @Test func durations() {
        #expect(DurationSyntax.seconds("1h30m") == 5400)
        #expect(DurationSyntax.seconds("250ms") == 0.25)
        #expect(DurationSyntax.seconds("1.5h") == 5400)
        #expect(DurationSyntax.seconds("") == nil)
        #expect(DurationSyntax.seconds("1 hour") == nil)
        #expect(DurationSyntax.seconds("10") == nil)
    }

    @Test func timeZones() {
        #expect(TimeZoneSyntax.problem(in: "Europe/Berlin") == nil)
        #expect(TimeZoneSyntax.problem(in: "UTC") == nil)
        #expect(TimeZoneSyntax.problem(in: "America/Argentina/Buenos_Aires") == nil)
        #expect(TimeZoneSyntax.problem(in: "Mars/Olympus") == "unknown time zone Mars/Olympus")
        #expect(TimeZoneSyntax.problem(in: "../etc/passwd") == "unknown time zone ../etc/passwd")
        #expect(TimeZoneSyntax.problem(in: "local")?.contains("explicit time zone") == true)
    }

    @Test func jsonPointers() throws {
        #expect(JSONPointer.problem(in: "/password") == nil)
        #expect(JSONPointer.problem(in: "/a~1b/c~0d") == nil)
        #expect(try JSONPointer.tokens("/a~1b/c~0d") == ["a/b", "c~d"])
        #expect(JSONPointer.problem(in: "password")?.contains("starting with '/'") == true)
        #expect(JSONPointer.problem(in: "/a//b")?.contains("empty segment") == true)
        #expect(JSONPointer.problem(in: "/a~") != nil)
        #expect(JSONPointer.problem(in: "/a~2") != nil)
    }

    @Test("a source-defined cursor or primary key satisfies the stream rules")
    func catalogSatisfiesStreamRules() {
        let connection = Connection(metadata: ObjectMeta(name: "c"), spec: ConnectionSpec(
            sourceRef: LocalObjectReference(name: "db"), destinationRef: LocalObjectReference(name: "wh"),
            streams: [ConfiguredStream(name: "events", syncMode: .incremental, destinationSyncMode: .appendDedup)]
        ))
        let strict = FerryValidation.validate(connection).map(\.description)
        #expect(strict == [
            "spec.streams[0].cursorField: Required value: incremental sync needs a cursor unless the source defines one",
            "spec.streams[0].primaryKey: Required value: append_dedup needs a primary key unless the source defines one",
        ])
        let catalog = DiscoveredCatalog(streams: [DiscoveredStream(name: "events", supportedSyncModes: [.fullRefresh, .incremental], sourceDefinedCursor: true, sourceDefinedPrimaryKey: [["id"]])])
        #expect(FerryValidation.validate(connection, context: .init(catalogs: ["db": catalog])) == [])

        let fullOnly = DiscoveredCatalog(streams: [DiscoveredStream(name: "events", supportedSyncModes: [.fullRefresh], sourceDefinedCursor: true, sourceDefinedPrimaryKey: [["id"]])])
        #expect(FerryValidation.validate(connection, context: .init(catalogs: ["db": fullOnly])).map(\.description)
            == [#"spec.streams[0].syncMode: Unsupported value: "incremental": supported values: "full_refresh""#])
        let other = DiscoveredCatalog(streams: [DiscoveredStream(name: "orders")])
        #expect(FerryValidation.validate(connection, context: .init(catalogs: ["db": other])).first?.description
            == #"spec.streams[0].name: Not found: "events": the source's catalog has no such stream"#)
    }

    @Test("a secret referenced and also written inline is reported")
    func secretBothInlineAndReferenced() {
        let source = Source(metadata: ObjectMeta(name: "s"), spec: ConnectorSpec(
            image: "img", config: ["password": "x", "api_token": "", "nested": ["client_secret": "y"], "access_key_id": "AKIA", "max_tokens": "5"],
            secretRefs: [SecretRef(path: "/password", secretKeyRef: SecretKeySelector(name: "db", key: "password"))]
        ))
        #expect(FerryValidation.validate(source).map(\.description) == [
            "spec.config.nested.client_secret: Forbidden: secret values must not be written inline; store it in a Secret and add a secretRefs entry with path: /nested/client_secret",
            "spec.config.password: Forbidden: is also set by secretRefs; remove the inline value",
        ])
    }

    @Test func defaults() {
        let stream = ConfiguredStream(name: "users", syncMode: .incremental)
        #expect(stream.effectiveDestinationSyncMode == .append)
        #expect(ConfiguredStream(name: "users").effectiveDestinationSyncMode == .overwrite)
        let spec = ConnectionSpec(sourceRef: .init(name: "s"), destinationRef: .init(name: "d"))
        #expect(spec.effectiveConcurrencyPolicy == .forbid && spec.effectiveWorkerPool == "default")
        #expect(spec.effectiveRetry.effectiveMaxTotalFailures == 10)
        let autoscaling = PoolAutoscaling(maxWorkers: 5, behavior: ScalingBehavior(scaleDown: ScalingRules(stabilizationWindowSeconds: 60)))
        #expect(autoscaling.effectiveScaleDown.stabilizationWindowSeconds == 60)
        #expect(autoscaling.effectiveScaleDown.policies == ScalingRules.defaultScaleDown.policies)
        #expect(autoscaling.effectiveScaleUp.stabilizationWindowSeconds == 0)
        #expect(autoscaling.effectiveMetrics == [PoolMetric(type: .queue, target: MetricTarget(averageValue: 1))])
    }

    @Test("setting a condition keeps the transition time while the status holds")
    func conditionHelpers() {
        var conditions: [Condition] = []
        var changed = conditions.set(Condition(type: "Ready", status: .false, lastTransitionTime: "t1", reason: "CheckFailed", message: "a"))
        #expect(changed)
        changed = conditions.set(Condition(type: "Ready", status: .false, lastTransitionTime: "t2", reason: "CheckFailed", message: "b"))
        #expect(changed)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == "t1")
        changed = conditions.set(Condition(type: "Ready", status: .false, lastTransitionTime: "t3", reason: "CheckFailed", message: "b"))
        #expect(!changed)
        changed = conditions.set(Condition(type: "Ready", status: .true, lastTransitionTime: "t4", reason: "Checked", message: "ok"))
        #expect(changed)
        #expect(conditions[type: "Ready"]?.lastTransitionTime == "t4")
        #expect(conditions.isTrue("Ready") && conditions.count == 1)
    }

    @Test("items of a List are validated, other groups are skipped")
    func listsAndOtherGroups() {
        let text = """
            apiVersion: v1
            kind: List
            items:
              - {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}
              - {apiVersion: ferry.dev/v1alpha1, kind: WorkerPool, metadata: {name: p}, spec: {workers: -2}}
            """
        #expect(ManifestValidator.validate(files: [(name: "list.yaml", text: text)]).map(\.description)
            == ["list.yaml: WorkerPool/p: spec.workers: Invalid value: -2: spec.workers in body should be greater than or equal to 0"])
    }
}
