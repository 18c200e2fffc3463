/// Small builders of the API objects the worker pod builder reads, for its tests.
import FerryAPI
import Foundation
import KubeCore
@testable import FerryControllers

enum WorkerPodFixtures {
    static let defaults = OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0")

    static func sync(_ name: String = "shop-sync-1", refresh: RefreshMode? = nil, uid: String? = "uid-123") -> Sync {
        var meta = ObjectMeta(name: name, namespace: "data")
        meta.uid = uid
        return Sync(metadata: meta, spec: SyncSpec(connectionRef: LocalObjectReference(name: "shop"), refresh: refresh))
    }

    static func connection(_ configure: (inout ConnectionSpec) -> Void = { _ in }) -> Connection {
        var spec = ConnectionSpec(sourceRef: LocalObjectReference(name: "shop-db"), destinationRef: LocalObjectReference(name: "warehouse"))
        configure(&spec)
        return Connection(metadata: ObjectMeta(name: "shop", namespace: "data"), spec: spec)
    }

    static func source(command: [String]? = nil, resources: ResourceRequirements? = nil) -> Source {
        Source(metadata: ObjectMeta(name: "shop-db", namespace: "data"),
               spec: ConnectorSpec(image: "airbyte/source-postgres:3.6.28", command: command, resources: resources))
    }

    static func destination(command: [String]? = nil, resources: ResourceRequirements? = nil) -> Destination {
        Destination(metadata: ObjectMeta(name: "warehouse", namespace: "data"),
                    spec: ConnectorSpec(image: "airbyte/destination-postgres:2.4.0", command: command, resources: resources))
    }

    static func pool(_ template: WorkerTemplate?) -> WorkerPool {
        WorkerPool(metadata: ObjectMeta(name: "default", namespace: "data"), spec: WorkerPoolSpec(workers: 2, template: template))
    }

    static let secretPassword = "s3cr3t-hunter2"

    static func inputs(state: JSONValue? = nil) -> RenderedInputs {
        RenderedInputs(
            renderedSourceConfig: ["host": "pg", "password": .string(secretPassword)],
            renderedDestinationConfig: ["path": "/data/out", "api_key": "dest-key-42"],
            configuredCatalog: ["streams": [["stream": ["name": "users"], "sync_mode": "incremental", "destination_sync_mode": "append"]]],
            inputState: state
        )
    }

    static func build(
        sync: Sync = sync(), connection: Connection = connection(), source: Source = source(), destination: Destination = destination(),
        pool: WorkerPool? = nil, defaults: OperatorDefaults = defaults, attempt: Int = 1, inputs: RenderedInputs = inputs()
    ) throws -> WorkerPodManifests {
        try WorkerPodBuilder.build(sync: sync, connection: connection, source: source, destination: destination,
                                   pool: pool, defaults: defaults, attempt: attempt, inputs: inputs)
    }
}

extension JSONValue {
    /// The container (or init container) with this name.
    func container(_ name: String) -> JSONValue? {
        let all = (self["spec"]["containers"].arrayValue ?? []) + (self["spec"]["initContainers"].arrayValue ?? [])
        return all.first { $0["name"].stringValue == name }
    }

    /// The `sh -c` script of a container.
    var script: String { self["command"].arrayValue?.last?.stringValue ?? "" }

    /// The decoded files of a Secret's `data`.
    var secretFiles: [String: String] {
        (self["data"].objectValue ?? [:]).compactMapValues { v in
            v.stringValue.flatMap { Data(base64Encoded: $0) }.flatMap { String(data: $0, encoding: .utf8) }
        }
    }
}
