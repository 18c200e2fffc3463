/// Compact schemas of the shared apimachinery types (ObjectMeta, ListMeta, Status, Scale)
/// that resource schemas reference, with the descriptions `kubectl explain` shows.
import KubeCore

enum MetaSchemas {
    static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let listMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
    static let ownerReference = "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"
    static let status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    static let patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
    static let scale = "io.k8s.api.autoscaling.v1.Scale"
    static let scaleSpec = "io.k8s.api.autoscaling.v1.ScaleSpec"
    static let scaleStatus = "io.k8s.api.autoscaling.v1.ScaleStatus"

    static let apiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription = "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"

    static func string(_ description: String, format: String? = nil) -> JSONValue {
        var s: JSONValue = ["type": "string", "description": .string(description)]
        if let format { s["format"] = .string(format) }
        return s
    }

    static func integer(_ description: String, format: String = "int64") -> JSONValue {
        ["type": "integer", "format": .string(format), "description": .string(description)]
    }

    static func stringMap(_ description: String) -> JSONValue {
        ["type": "object", "additionalProperties": ["type": "string", "default": ""], "description": .string(description)]
    }

    static func all(_ flavor: OpenAPIBuilder.Flavor) -> [String: JSONValue] {
        let ref = flavor.refPrefix
        let objectMetaSchema: JSONValue = [
            "type": "object",
            "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            "properties": [
                "annotations": stringMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations"),
                "creationTimestamp": string(ObjectMetaDescriptions.creationTimestamp, format: "date-time"),
                "deletionGracePeriodSeconds": integer("Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only."),
                "deletionTimestamp": string("DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client.", format: "date-time"),
                "finalizers": [
                    "type": "array", "items": ["type": "string", "default": ""],
                    "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge",
                    "description": "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed.",
                ],
                "generateName": string("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
                "generation": integer("A sequence number representing a specific generation of the desired state. Populated by the system. Read-only."),
                "labels": stringMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels"),
                "managedFields": [
                    "type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.",
                ],
                "name": string(ObjectMetaDescriptions.name),
                "namespace": string("Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be ignored. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces"),
                "ownerReferences": [
                    "type": "array", "items": ["default": [:], "allOf": [["$ref": .string(ref + ownerReference)]]],
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"],
                    "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge",
                    "description": "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
                ],
                "resourceVersion": string("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Value must be treated as opaque by clients and passed unmodified back to the server. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency"),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
                "uid": string("UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
            ],
        ]
        let ownerReferenceSchema: JSONValue = [
            "type": "object",
            "description": "OwnerReference contains enough information to let you identify an owning object.",
            "required": ["apiVersion", "kind", "name", "uid"],
            "properties": [
                "apiVersion": string("API version of the referent."),
                "blockOwnerDeletion": ["type": "boolean", "description": "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."],
                "controller": ["type": "boolean", "description": "If true, this reference points to the managing controller."],
                "kind": string("Kind of the referent."),
                "name": string("Name of the referent."),
                "uid": string("UID of the referent."),
            ],
            "x-kubernetes-map-type": "atomic",
        ]
        let listMetaSchema: JSONValue = [
            "type": "object",
            "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects.",
            "properties": [
                "continue": string("continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available."),
                "remainingItemCount": integer("remainingItemCount is the number of subsequent items in the list which are not included in this list response."),
                "resourceVersion": string("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
            ],
        ]
        let statusSchema: JSONValue = [
            "type": "object",
            "description": "Status is a return value for calls that don't return other objects.",
            "properties": [
                "apiVersion": string(apiVersionDescription),
                "code": integer("Suggested HTTP return code for this status, 0 if not set.", format: "int32"),
                "details": ["type": "object", "x-kubernetes-preserve-unknown-fields": true, "description": "Extended data associated with the reason."],
                "kind": string(kindDescription),
                "message": string("A human-readable description of the status of this operation."),
                "metadata": ["default": [:], "allOf": [["$ref": .string(ref + listMeta)]]],
                "reason": string("A machine-readable description of why this operation is in the \"Failure\" status."),
                "status": string("Status of the operation. One of: \"Success\" or \"Failure\"."),
            ],
            "x-kubernetes-group-version-kind": [["group": "", "version": "v1", "kind": "Status"]],
        ]
        let scaleSchema: JSONValue = [
            "type": "object",
            "description": "Scale represents a scaling request for a resource.",
            "properties": [
                "apiVersion": string(apiVersionDescription),
                "kind": string(kindDescription),
                "metadata": ["default": [:], "allOf": [["$ref": .string(ref + objectMeta)]]],
                "spec": ["default": [:], "allOf": [["$ref": .string(ref + scaleSpec)]]],
                "status": ["default": [:], "allOf": [["$ref": .string(ref + scaleStatus)]]],
            ],
            "x-kubernetes-group-version-kind": [["group": "autoscaling", "version": "v1", "kind": "Scale"]],
        ]
        return [
            objectMeta: objectMetaSchema,
            ownerReference: ownerReferenceSchema,
            listMeta: listMetaSchema,
            status: statusSchema,
            patch: ["type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."],
            scale: scaleSchema,
            scaleSpec: ["type": "object", "description": "ScaleSpec describes the attributes of a scale subresource.",
                        "properties": ["replicas": integer("replicas is the desired number of instances for the scaled object.", format: "int32")]],
            scaleStatus: ["type": "object", "description": "ScaleStatus represents the current status of a scale subresource.",
                          "required": ["replicas"],
                          "properties": [
                              "replicas": integer("replicas is the actual number of observed instances of the scaled object.", format: "int32"),
                              "selector": string("selector is the label query over pods that should match the replicas count."),
                          ]],
        ]
    }
}
