/// Object builders shared by the API server tests.
import KubeCore

enum Fixture {
    static func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = ["k": "v"]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": JSONValue(stringMap: labels)],
         "data": JSONValue(stringMap: data)]
    }

    static func pod(_ name: String, namespace: String = "default") -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": .string(namespace)],
         "spec": ["containers": [["name": "main", "image": "busybox"]]]]
    }

    static func namespace(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    /// A namespaced CRD `widgets.example.com` with status and scale subresources, a schema with
    /// defaults and a CEL rule, and printer columns.
    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "subresources": ["status": .emptyObject,
                                 "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                           "labelSelectorPath": ".status.selector"]],
                "additionalPrinterColumns": [["name": "Size", "type": "string", "jsonPath": ".spec.size"],
                                             ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": [
                            "type": "object",
                            "properties": [
                                "size": ["type": "string", "enum": ["small", "medium", "large"], "default": "small"],
                                "replicas": ["type": "integer", "minimum": 0],
                            ],
                        ],
                        "status": [
                            "type": "object",
                            "properties": ["replicas": ["type": "integer"], "selector": ["type": "string"], "ready": ["type": "boolean"]],
                        ],
                    ],
                ]],
            ]],
        ],
    ]

    static func widget(_ name: String, namespace: String = "default", spec: JSONValue = ["size": "medium"]) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec]
    }
}
