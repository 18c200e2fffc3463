/// Schemas of the shared types in CommonTypes.swift.
import KubeCore

extension LocalObjectReference {
    static func schema(_ description: String) -> FieldSchema {
        .object(description, required: ["name"], [
            "name": .string("Name of the object, in the same namespace.", pattern: FerryPatterns.objectName, minLength: 1, maxLength: 253),
        ])
    }
}

extension SecretRef {
    static let schema = FieldSchema.object(
        "A secret value merged into the connector config at a JSON pointer before the connector runs; the value never appears in the Source or Destination object.",
        required: ["path", "secretKeyRef"], [
            "path": .string("RFC 6901 JSON pointer into config where the value is placed, e.g. /password or /credentials/api_key. Intermediate objects are created.", pattern: FerryPatterns.jsonPointer),
            "secretKeyRef": .object("The Secret key holding the value, in the same namespace.", required: ["name", "key"], [
                "name": .string("Name of the Secret.", pattern: FerryPatterns.objectName, minLength: 1, maxLength: 253),
                "key": .string("Key within the Secret's data.", pattern: #"^[-._a-zA-Z0-9]+$"#, minLength: 1, maxLength: 253),
            ]),
        ])
}

extension ResourceRequirements {
    static func schema(_ description: String) -> FieldSchema {
        .object(description, [
            "limits": .map("Maximum amount of compute resources allowed, e.g. cpu: \"1\", memory: 2Gi.", of: .quantity("A resource quantity.")),
            "requests": .map("Minimum amount of compute resources required, used for scheduling.", of: .quantity("A resource quantity.")),
        ])
    }
}

extension WorkerResources {
    static func schema(_ description: String) -> FieldSchema {
        .object(description, [
            "orchestrator": ResourceRequirements.schema("Resources of the orchestrator container that moves records and state between the connectors."),
            "source": ResourceRequirements.schema("Resources of the source connector container."),
            "destination": ResourceRequirements.schema("Resources of the destination connector container."),
        ])
    }
}

extension Toleration {
    static let listSchema = FieldSchema.array("Tolerations of worker pods (core/v1 Toleration).", of: .object("A core/v1 toleration.", [
        "key": .string("Taint key the toleration applies to; empty matches all keys (with operator Exists)."),
        "operator": .enum("How key and value are compared.", Operator.self),
        "value": .string("Taint value the toleration matches (operator Equal)."),
        "effect": .enum("Taint effect to match; empty matches all effects.", Effect.self),
        "tolerationSeconds": .integer("For NoExecute: how long the pod stays bound after the taint appears.", format: "int64"),
    ]))
}

extension Condition {
    /// Conditions as a list-type map keyed by `type`, as metav1.Condition is declared upstream.
    static let listSchema = FieldSchema.array(
        "Current state of the object as standard conditions, one per type.",
        of: .object("A metav1.Condition.", required: ["type", "status", "lastTransitionTime", "reason", "message"], [
            "type": .string("Type of condition in CamelCase, e.g. Ready.", pattern: #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#, maxLength: 316),
            "status": .enum("Status of the condition.", Status.self),
            "observedGeneration": .integer("metadata.generation the condition was set for.", format: "int64", minimum: 0),
            "lastTransitionTime": .time("Last time the condition's status changed."),
            "reason": .string("Machine-readable CamelCase reason for the last transition.", pattern: #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#, minLength: 1, maxLength: 1024),
            "message": .string("Human-readable details of the last transition.", maxLength: 32768),
        ]),
        listType: "map", mapKeys: ["type"]
    )
}

/// Fields of pod templates shared by Connection.podTemplate and WorkerPool.template.
enum PodSchedulingSchemas {
    static let nodeSelector = FieldSchema.stringMap("Node labels a worker pod's node must have.")
    static let affinity = FieldSchema.freeForm("core/v1 Affinity of worker pods, passed through unchanged and validated by the Pod API.")
    static let priorityClassName = FieldSchema.string("PriorityClass of worker pods.")
    static let serviceAccountName = FieldSchema.string("ServiceAccount worker pods run as.", pattern: FerryPatterns.objectName)
}
