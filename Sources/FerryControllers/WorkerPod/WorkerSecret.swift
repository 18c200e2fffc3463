/// The per-sync Secret: rendered connector configs, configured catalog and input state,
/// the only place the worker pod's secret values live (never env or annotations).
import Foundation
import KubeCore

enum WorkerSecret {
    static func secret(name: String, namespace: String, labels: [String: String], owner: JSONValue,
                       inputs: RenderedInputs, clear: Bool, state: JSONValue?) -> JSONValue {
        typealias L = WorkerPodLayout
        var files: [String: JSONValue] = [
            L.destinationConfigFile: inputs.renderedDestinationConfig,
            L.catalogFile: inputs.configuredCatalog,
        ]
        if !clear { files[L.sourceConfigFile] = inputs.renderedSourceConfig }
        if let state { files[L.stateFile] = state }
        if let destinationCatalog = inputs.destinationCatalog { files[L.destinationCatalogFile] = destinationCatalog }
        return [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
                "ownerReferences": owner,
            ],
            "type": "Opaque",
            // Written once per attempt; immutable Secrets also spare the kubelet a watch
            // per pod, which matters with hundreds of concurrent syncs.
            "immutable": true,
            // `data`, not `stringData`: what the API server stores and returns.
            "data": .object(files.mapValues { .string(Data($0.serializedBytes()).base64EncodedString()) }),
        ]
    }
}
