/// The Source and Destination reconciler: resolves the connector's config, runs `check`
/// (and for a Source then `discover`) in short-lived probe pods, and records the outcome
/// in status (conditions Ready, Checked, Discovered; lastCheckTime; catalog). Re-checks on
/// a spec change and every `spec.check.interval`.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// Condition types and reasons of Sources and Destinations (API.md).
public enum ConnectorConditions {
    public static let ready = "Ready"
    public static let checked = "Checked"
    public static let discovered = "Discovered"

    public enum Reason {
        public static let checking = "Checking"
        public static let checkSucceeded = "CheckSucceeded"
        public static let checkFailed = "CheckFailed"
        /// The probe pod failed without the connector's verdict (image, OOM, deadline).
        public static let probeFailed = "ProbeFailed"
        public static let invalidProbe = "InvalidProbe"
        public static let discovering = "Discovering"
        public static let discoveredStreams = "Discovered"
        public static let discoverFailed = "DiscoverFailed"
    }
    /// Reasons of a Checked condition that end a check (the next one is due at the interval).
    static let checkOutcomes: Set<String> = [Reason.checkSucceeded, Reason.checkFailed, Reason.probeFailed]
}

/// The caches a probe controller reads: its kind, and the pods it owns.
public struct ConnectorProbeCaches: Sendable {
    public var connectors: Informer
    public var pods: Informer
    public init(connectors: Informer, pods: Informer) {
        self.connectors = connectors
        self.pods = pods
    }
}

/// What comes next for a connector, decided from its status alone (pure).
enum ConnectorProbeStep: Equatable {
    case probe(ConnectorProbeAction, round: Int64)
    /// Nothing to run before this time.
    case idle(until: Date)

    static func next(status: SourceStatus, generation: Int64, discovers: Bool, interval: TimeInterval, now: Date) -> ConnectorProbeStep {
        let conditions = status.conditions ?? []
        let last = status.lastCheckTime.flatMap(KubeTime.parse)
        let round = last.map { Int64($0.timeIntervalSince1970.rounded(.down)) } ?? 0
        guard let checked = conditions[type: ConnectorConditions.checked], let last, checked.observedGeneration == generation,
              ConnectorConditions.checkOutcomes.contains(checked.reason) else { return .probe(.check, round: round) }
        if discovers, checked.status == .true {
            let discovered = conditions[type: ConnectorConditions.discovered]
            if discovered == nil || discovered?.observedGeneration != generation || discovered?.reason == ConnectorConditions.Reason.discovering {
                return .probe(.discover, round: round)
            }
        }
        let due = last.addingTimeInterval(interval)
        return now >= due ? .probe(.check, round: round) : .idle(until: due)
    }
}

struct ConnectorProbeReconciler: Sendable {
    static let defaultInterval = "1h"
    /// A probe pod not started after this long (unschedulable, image pulls) fails the probe.
    static let startTimeout: TimeInterval = 900
    /// How often a connector whose Secret is missing looks again (Secrets are not watched).
    static let configRetry: Duration = .seconds(60)

    let kind: ConnectorProbeKind
    let client: KubernetesClient
    let caches: ConnectorProbeCaches
    let events: EventRecorder?
    let clock: any RuntimeClock
    let defaults: OperatorDefaults
    let logger: Logger

    func reconcile(_ key: ObjectKey, _ cached: JSONValue?) async throws -> ReconcileAction {
        guard cached != nil else { return .done }
        let object: JSONValue
        do {
            object = try await client.get(kind.resourceType, name: key.name, namespace: key.namespace)
        } catch where error.isNotFound {
            return .done
        } catch {
            throw ConnectorProbeError("reading \(kind.kind) \(key)", error)
        }
        guard object.deletionTimestamp == nil else { return .done }
        let spec: ConnectorSpec, metadata: ObjectMeta
        var status: SourceStatus
        do {
            spec = try object["spec"].decode(ConnectorSpec.self)
            metadata = try object["metadata"].decode(ObjectMeta.self)
            status = object["status"].isNull ? SourceStatus() : try object["status"].decode(SourceStatus.self)
        } catch {
            throw TerminalError(ConnectorProbeError("decoding \(kind.kind) \(key)", error))
        }
        let namespace = key.namespace ?? ""
        let generation = object.generation ?? 0
        let now = clock.wallTime
        let intervalText = spec.check?.interval ?? Self.defaultInterval
        let interval = DurationSyntax.seconds(intervalText).flatMap { $0 > 0 ? $0 : nil } ?? 3600

        let step = ConnectorProbeStep.next(status: status, generation: generation, discovers: kind.discovers, interval: interval, now: now)
        guard case .probe(let action, let round) = step else {
            try await deleteProbes(of: object, except: nil)
            if case .idle(let until) = step { return .requeueAfter(Self.until(until, from: now)) }
            return .done
        }
        let podName = ConnectorProbePod.podName(connector: key.name, action: action, generation: generation, round: round)
        try await deleteProbes(of: object, except: podName)

        // The config first: a missing Secret needs no pod to be reported.
        let rendered: (config: JSONValue, secrets: [String])
        do {
            rendered = try await render(spec, namespace: namespace)
        } catch let error as ConfigRenderingError {
            try await deleteProbes(of: object, except: nil)
            set(&status, generation, ConnectorConditions.checked, .false, error.reason.rawValue, error.message)
            set(&status, generation, ConnectorConditions.ready, .false, error.reason.rawValue, error.message)
            try await write(object, status, warning: (error.reason.rawValue, error.message))
            return .requeueAfter(Self.configRetry)
        }

        if let pod = try await currentPod(podName, namespace: namespace, owner: object.uid) {
            return try await observe(object, status, pod: pod, action: action, generation: generation, interval: interval, secrets: rendered.secrets)
        }
        let manifests: ConnectorProbeManifests
        do {
            manifests = try ConnectorProbePod.build(kind: kind, metadata: metadata, spec: spec, action: action, round: round,
                                                    renderedConfig: rendered.config, defaults: defaults)
        } catch {
            set(&status, generation, ConnectorConditions.checked, .false, ConnectorConditions.Reason.invalidProbe, error.message)
            set(&status, generation, ConnectorConditions.ready, .false, ConnectorConditions.Reason.invalidProbe, error.message)
            try await write(object, status, warning: (ConnectorConditions.Reason.invalidProbe, error.message))
            return .done
        }
        try await create(manifests.secret, .secret, namespace: namespace, what: "Secret \(manifests.secretName)")
        if let catalog = manifests.catalogConfigMap {
            try await create(catalog, .configMap, namespace: namespace, what: "ConfigMap \(manifests.podName)")
        }
        try await create(manifests.pod, .pod, namespace: namespace, what: "probe Pod \(manifests.podName)")
        // Until a first check (or the first since the config resolved) says otherwise; later
        // checks leave Ready and Checked as the last one left them.
        let conditions = status.conditions ?? []
        let message = "running check in pod \(manifests.podName)"
        if action == .check, !ConnectorConditions.checkOutcomes.contains(conditions[type: ConnectorConditions.ready]?.reason ?? "") {
            set(&status, generation, ConnectorConditions.ready, .unknown, ConnectorConditions.Reason.checking, message)
        }
        if action == .check, let checked = conditions[type: ConnectorConditions.checked],
           checked.observedGeneration == generation, ConnectorConditions.checkOutcomes.contains(checked.reason) {
            // An interval's re-check: the last outcome stands until this one ends.
        } else if action == .check {
            set(&status, generation, ConnectorConditions.checked, .unknown, ConnectorConditions.Reason.checking, message)
        }
        try await write(object, status, warning: nil)
        // The pod watch brings the result.
        return .done
    }

    /// The probe pod's outcome into status, then the pod and its objects go.
    func observe(_ object: JSONValue, _ status: SourceStatus, pod: JSONValue, action: ConnectorProbeAction, generation: Int64,
                 interval: TimeInterval, secrets: [String]) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        let podName = pod.name ?? ""
        let now = clock.wallTime
        let observation = WorkerPodObservation(pod: pod)
        var failure: String?
        var waiting = observation
        if case .running = observation {
            // The orchestrator runs, waiting on the pipe, while the connector cannot start
            // (an image that cannot be pulled): that is still a pod that did not start.
            let statuses = (pod["status"]["initContainerStatuses"].arrayValue ?? []) + (pod["status"]["containerStatuses"].arrayValue ?? [])
            waiting = WorkerPodObservation.pendingObservation(status: pod["status"], statuses: statuses)
            if case .pending(nil, _, _) = waiting { return .done }
        }
        switch waiting {
        case .running: return .done
        case .pending(let reason, let message, let fatal):
            let created = pod["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) ?? now
            let deadline = created.addingTimeInterval(Self.startTimeout)
            guard fatal || now >= deadline else { return .requeueAfter(Self.until(deadline, from: now)) }
            failure = "probe pod \(podName) did not start: \(message ?? reason ?? "not scheduled or started")"
        case .succeeded, .failed:
            break
        }
        let terminated = (pod["status"]["containerStatuses"].arrayValue ?? []).first { $0["name"].stringValue == WorkerPodLayout.orchestratorContainer }
        let report = failure == nil ? ConnectorProbeReport(terminationMessage: terminated?["state"]["terminated"]["message"].stringValue) : nil
        if failure == nil, report == nil, case .failed(_, let message, _, _) = observation { failure = message }
        if failure == nil, report == nil { failure = "probe pod \(podName) finished without a result" }

        var status = status
        var warning: (String, String)?
        let time = KubeTime.format(now)
        func redacted(_ text: String) -> String { ReferencedSecrets.redact(text, secrets: secrets) }
        switch action {
        case .check:
            status.lastCheckTime = time
            if let report, report.succeeded {
                let message = redacted(report.message ?? "the check passed")
                set(&status, generation, ConnectorConditions.checked, .true, ConnectorConditions.Reason.checkSucceeded, message)
                set(&status, generation, ConnectorConditions.ready, .true, ConnectorConditions.Reason.checkSucceeded, message)
                if kind.discovers {
                    // Discover follows; the last catalog stays until it replaces it.
                    let previous = (status.conditions ?? [])[type: ConnectorConditions.discovered]?.status ?? .unknown
                    set(&status, generation, ConnectorConditions.discovered, previous, ConnectorConditions.Reason.discovering, "discovering the streams")
                }
            } else {
                let reason = report == nil ? ConnectorConditions.Reason.probeFailed : ConnectorConditions.Reason.checkFailed
                let message = redacted(report?.message ?? failure ?? "the check failed")
                set(&status, generation, ConnectorConditions.checked, .false, reason, message)
                set(&status, generation, ConnectorConditions.ready, .false, reason, message)
                warning = (reason, message)
            }
        case .discover:
            var streams: [DiscoveredStream]?
            if let report, report.succeeded { streams = try await readCatalog(podName, namespace: namespace) }
            if let streams {
                status.catalog = DiscoveredCatalog(discoveredAt: time, streams: streams)
                set(&status, generation, ConnectorConditions.discovered, .true, ConnectorConditions.Reason.discoveredStreams,
                    "\(streams.count) stream\(streams.count == 1 ? "" : "s") discovered")
            } else {
                let message = redacted(report.flatMap { $0.succeeded ? nil : $0.message } ?? failure ?? "the catalog was not reported")
                set(&status, generation, ConnectorConditions.discovered, .false, ConnectorConditions.Reason.discoverFailed, message)
                warning = (ConnectorConditions.Reason.discoverFailed, message)
            }
        }
        try await write(object, status, warning: warning)
        try await deleteProbe(podName, namespace: namespace)
        // A Source's discover follows at once (the status write brings it back); else the next check.
        let next = (status.lastCheckTime.flatMap(KubeTime.parse) ?? now).addingTimeInterval(interval)
        return .requeueAfter(Self.until(next, from: now))
    }

    /// The config with its secret values, and those values (to keep them out of messages).
    func render(_ spec: ConnectorSpec, namespace: String) async throws -> (JSONValue, [String]) {
        let secrets = try await ReferencedSecrets.read(Set((spec.secretRefs ?? []).map(\.secretKeyRef.name)), namespace: namespace, client: client) { name, error in
            ConnectorProbeError("reading Secret \(namespace)/\(name) for the \(kind.kind)'s config", error)
        }
        var values: [String] = []
        let config = try ConnectorConfigRendering.render(spec) { secret, key in
            let found = secrets.lookup(secret, key)
            if case .value(let value) = found { values.append(value) }
            return found
        }
        return (config, values)
    }

    func currentPod(_ name: String, namespace: String, owner uid: String?) async throws -> JSONValue? {
        let pod: JSONValue?
        do {
            pod = try await podFromCacheOrServer(name, namespace: namespace, cache: caches.pods.store, client: client)
        } catch {
            throw ConnectorProbeError("reading probe pod \(namespace)/\(name)", error)
        }
        guard let pod, pod.deletionTimestamp == nil else { return nil }
        if let uid, !(pod.ownerReferences.contains { $0.uid == uid }) { return nil }
        return pod
    }

    func readCatalog(_ name: String, namespace: String) async throws -> [DiscoveredStream]? {
        do {
            return ConnectorProbeCatalogConfigMap.read(try await client.get(.configMap, name: name, namespace: namespace))
        } catch where error.isNotFound {
            return nil
        } catch {
            throw ConnectorProbeError("reading ConfigMap \(namespace)/\(name)", error)
        }
    }

    /// Deletes this object's probe pods other than `keep` (a stale generation or round).
    func deleteProbes(of object: JSONValue, except keep: String?) async throws {
        let namespace = object.namespace ?? ""
        let stale = caches.pods.store.list().filter { pod in
            (pod.namespace ?? "") == namespace && pod.labels[ConnectorProbePod.probeLabel] != nil && pod.name != keep
                && pod.deletionTimestamp == nil && pod.ownerReferences.contains { $0.uid == object.uid && $0.kind == kind.kind }
        }
        for pod in stale { try await deleteProbe(pod.name ?? "", namespace: namespace) }
    }

    /// A probe pod, its Secret and its ConfigMap; already gone is fine.
    func deleteProbe(_ pod: String, namespace: String) async throws {
        for (resource, name) in [(ResourceType.pod, pod), (.secret, WorkerPodNaming.secretName(podName: pod)), (.configMap, pod)] {
            do {
                _ = try await client.delete(resource, name: name, namespace: namespace, options: DeleteOptions(propagationPolicy: .background))
            } catch where error.isNotFound {
                // Already gone (a check has no ConfigMap).
            } catch {
                throw ConnectorProbeError("deleting \(resource.kind) \(namespace)/\(name)", error)
            }
        }
    }

    func create(_ object: JSONValue, _ resource: ResourceType, namespace: String, what: String) async throws {
        do {
            _ = try await client.create(object, resource, namespace: namespace)
        } catch where error.isAlreadyExists {
            // Created by an earlier reconcile of the same probe.
        } catch {
            throw ConnectorProbeError("creating \(what) in namespace \(namespace)", error)
        }
    }

    func set(_ status: inout SourceStatus, _ generation: Int64, _ type: String, _ value: Condition.Status, _ reason: String, _ message: String) {
        var list = status.conditions ?? []
        list.set(Condition(type: type, status: value, reason: reason, message: message, observedGeneration: generation), now: clock.wallTime)
        status.conditions = list
    }

    /// PUTs the status when it changed (a concurrent writer makes this a conflict, requeued),
    /// with a Warning event when it did and `warning` is given.
    func write(_ object: JSONValue, _ status: SourceStatus, warning: (String, String)?) async throws {
        var status = status
        status.observedGeneration = object.generation
        var updated = object
        do {
            updated["status"] = kind.discovers
                ? try JSONValue(encoding: status)
                : try JSONValue(encoding: DestinationStatus(observedGeneration: status.observedGeneration, conditions: status.conditions,
                                                            lastCheckTime: status.lastCheckTime))
        } catch {
            throw ConnectorProbeError("encoding the status of \(kind.kind) \(object.namespace ?? "")/\(object.name ?? "")", error)
        }
        guard updated != object else { return }
        do {
            _ = try await client.updateStatus(updated, kind.resourceType, namespace: object.namespace)
        } catch where error.isConflict {
            throw error
        } catch {
            throw ConnectorProbeError("updating the status of \(kind.kind) \(object.namespace ?? "")/\(object.name ?? "")", error)
        }
        if let (reason, message) = warning { events?.record(object, type: .warning, reason: reason, message: message) }
    }

    static func until(_ deadline: Date, from now: Date) -> Duration {
        .milliseconds(max(1, Int64((deadline.timeIntervalSince(now) * 1000).rounded(.up))))
    }
}
