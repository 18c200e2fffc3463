/// Starting an attempt: rendering the connector configs with their Secrets, the configured
/// catalog and the input state, then creating the per-sync Secret and the worker Pod.
import AirbyteProtocol
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension SyncReconciler {
    /// Renders the inputs, creates the Secret and Pod of the next attempt and records it as
    /// Pending. An input that cannot be rendered fails the Sync: retrying cannot fix it.
    /// Admission has already reserved the slot (expected the pod); any way out without the
    /// pod gives it back.
    func startAttempt(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus, refs: SyncReferences) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        let number = Int((status.currentAttempt?.number ?? 0) + 1)
        let reserved = WorkerPodNaming.podName(sync: object.name ?? "", attempt: number)
        do {
            return try await createAttempt(object, sync, status, refs: refs, number: number, reserved: reserved)
        } catch {
            expectations.forget(namespace: namespace, pod: reserved)
            throw error
        }
    }

    func createAttempt(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus, refs: SyncReferences, number: Int, reserved: String) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        let inputs: RenderedInputs
        let manifests: WorkerPodManifests
        do {
            inputs = try await render(refs, namespace: namespace, refresh: sync.spec.effectiveRefresh)
            manifests = try WorkerPodBuilder.build(sync: sync, connection: refs.connection, source: refs.source, destination: refs.destination,
                                                   pool: refs.pool, defaults: defaults, attempt: number, inputs: inputs)
        } catch let error as InputFailure {
            expectations.forget(namespace: namespace, pod: reserved)
            return try await failBeforeStart(object, status, reason: error.reason, message: error.message)
        } catch let error as WorkerPodBuildError {
            expectations.forget(namespace: namespace, pod: reserved)
            return try await failBeforeStart(object, status, reason: SyncConditions.Reason.invalidWorkerPod, message: error.description)
        }
        try await createIgnoringExisting(manifests.secret, .secret, namespace: namespace, what: "Secret \(manifests.secretName)")
        try await createIgnoringExisting(manifests.progressConfigMap, .configMap, namespace: namespace, what: "progress ConfigMap \(manifests.podName)")
        try await createIgnoringExisting(manifests.pod, .pod, namespace: namespace, what: "worker Pod \(manifests.podName)")
        var status = status
        status.phase = .pending
        status.replace(SyncAttempt(number: Int32(number), podName: manifests.podName, phase: .pending))
        setCondition(&status, object, type: SyncConditions.queued, .false, SyncConditions.Reason.admitted,
                     "attempt \(number) got a worker of WorkerPool \(refs.connection.spec.effectiveWorkerPool): pod \(manifests.podName)")
        try await write(object, status, event: (.normal, "Pending", "Created worker pod \(manifests.podName) for attempt \(number)"))
        return .done
    }

    /// Deterministic names make a repeated create (an earlier reconcile got this far) a no-op.
    func createIgnoringExisting(_ object: JSONValue, _ resource: ResourceType, namespace: String, what: String) async throws {
        do {
            _ = try await client.create(object, resource, namespace: namespace)
        } catch where error.isAlreadyExists {
            // Created by an earlier reconcile of the same attempt.
        } catch {
            throw SyncReconcileError("creating \(what) in namespace \(namespace)", error)
        }
    }

    /// The Sync fails before any attempt ran, with the condition reason of the problem.
    func failBeforeStart(_ object: JSONValue, _ status: SyncStatus, reason: String, message: String) async throws -> ReconcileAction {
        var status = status
        finish(&status, object, phase: .failed, at: clock.wallTime)
        setCondition(&status, object, type: SyncConditions.queued, .false, reason, "the Sync failed before starting")
        setCondition(&status, object, type: SyncConditions.failed, .true, reason, message)
        try await write(object, status, event: (.warning, reason, message))
        return .done
    }

    /// Connector configs with secret values merged, the configured catalog and input state.
    ///
    /// The catalog comes from the Source's stored discovered catalog when it has one, else
    /// from `spec.streams` with an empty `{}` json_schema per stream: discovery into the
    /// Source's status comes with the Source controller of the scheduling issue. The input
    /// state is the Connection's stored state, unless the Sync refreshes.
    func render(_ refs: SyncReferences, namespace: String, refresh: RefreshMode) async throws -> RenderedInputs {
        let names = Set(((refs.source.spec.secretRefs ?? []) + (refs.destination.spec.secretRefs ?? [])).map(\.secretKeyRef.name))
        let secrets = try await ReferencedSecrets.read(names, namespace: namespace, client: client) { name, error in
            SyncReconcileError("reading Secret \(namespace)/\(name) for the connector configs", error)
        }
        let lookup = secrets.lookup
        let sourceConfig: JSONValue, destinationConfig: JSONValue
        do {
            sourceConfig = try ConnectorConfigRendering.render(refs.source.spec, secrets: lookup)
        } catch {
            throw InputFailure(reason: error.reason.rawValue, message: "Source \(refs.source.metadata.name ?? ""): \(error.message)")
        }
        do {
            destinationConfig = try ConnectorConfigRendering.render(refs.destination.spec, secrets: lookup)
        } catch {
            throw InputFailure(reason: error.reason.rawValue, message: "Destination \(refs.destination.metadata.name ?? ""): \(error.message)")
        }
        var catalogs: SyncCatalogs
        do {
            catalogs = try ConfiguredCatalogBuilding.build(connection: refs.connection.spec, discovered: Self.discoveredStreams(refs))
            if refresh == .clear { catalogs = catalogs.clearing }
        } catch {
            throw InputFailure(reason: SyncConditions.Reason.invalidCatalog, message: "Connection \(refs.connection.metadata.name ?? ""): \(error.description)")
        }
        let state = refresh == .none ? try await storedState(connection: refs.connection.metadata.name ?? "", namespace: namespace) : nil
        // The input state reaches the pod in its Secret, which (like any Secret) holds at
        // most 1 MiB: a larger state is refused here with its size, not by the API server.
        if let size = state?.serialized().utf8.count, size > ConnectionStateStore.maxStoredBytes {
            throw InputFailure(reason: SyncConditions.Reason.stateTooLarge,
                               message: "Connection \(refs.connection.metadata.name ?? ""): the stored state is \(size) bytes; the worker pod's Secret holds at most \(ConnectionStateStore.maxStoredBytes)")
        }
        return RenderedInputs(renderedSourceConfig: sourceConfig, renderedDestinationConfig: destinationConfig, catalogs: catalogs, inputState: state)
    }

    /// The Source's stored catalog, else one stream per `spec.streams` entry supporting
    /// the modes the entry asks for (the source will reject what it cannot do).
    static func discoveredStreams(_ refs: SyncReferences) -> [DiscoveredAirbyteStream] {
        if let stored = refs.source.status?.catalog?.streams, !stored.isEmpty {
            return stored.map { s in
                DiscoveredAirbyteStream(
                    descriptor: StreamDescriptor(name: s.name, namespace: s.namespace),
                    supportedSyncModes: (s.supportedSyncModes ?? [.fullRefresh]).compactMap { AirbyteProtocol.SyncMode(rawValue: $0.rawValue) },
                    sourceDefinedCursor: s.sourceDefinedCursor ?? false, defaultCursorField: s.defaultCursorField ?? [],
                    sourceDefinedPrimaryKey: s.sourceDefinedPrimaryKey ?? [])
            }
        }
        return (refs.connection.spec.streams ?? []).map { entry in
            DiscoveredAirbyteStream(descriptor: StreamDescriptor(name: entry.name, namespace: entry.namespace), supportedSyncModes: [.fullRefresh, .incremental])
        }
    }

    /// A key of a Secret: `data` (base64) or `stringData` (as a client may have written it).
    static func secretValue(_ secret: JSONValue, key: String) -> String? {
        if let encoded = secret["data"][key].stringValue {
            return Data(base64Encoded: encoded).flatMap { String(data: $0, encoding: .utf8) }
        }
        return secret["stringData"][key].stringValue
    }
}

/// An input could not be rendered; reason is the API.md condition reason.
struct InputFailure: Error {
    var reason: String
    var message: String
}
