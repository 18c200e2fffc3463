import Foundation

/// `metav1.OwnerReference`.
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.ObjectMeta`, the fields a controller reads and writes.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?

    public init(name: String? = nil, namespace: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }
}

/// `metav1.ListMeta`.
public struct ListMeta: Codable, Sendable, Hashable {
    public var resourceVersion: String?
    public var `continue`: String?
    public var remainingItemCount: Int64?
    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// Accessors for the metadata of an unstructured object.
extension JSONValue {
    public var apiVersion: String? { self["apiVersion"].stringValue }
    public var kind: String? { self["kind"].stringValue }
    public var metadata: JSONValue {
        get { self["metadata"] }
        set { self["metadata"] = newValue }
    }
    public var name: String? { self["metadata"]["name"].stringValue }
    public var namespace: String? { self["metadata"]["namespace"].stringValue }
    public var uid: String? { self["metadata"]["uid"].stringValue }
    public var resourceVersion: String? { self["metadata"]["resourceVersion"].stringValue }
    public var generation: Int64? { self["metadata"]["generation"].intValue }
    public var deletionTimestamp: String? { self["metadata"]["deletionTimestamp"].stringValue }

    public var labels: [String: String] {
        self["metadata"]["labels"].stringMap
    }
    public var annotations: [String: String] {
        self["metadata"]["annotations"].stringMap
    }
    public var finalizers: [String] {
        (self["metadata"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
    }
    public var ownerReferences: [OwnerReference] {
        (self["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { try? $0.decode(OwnerReference.self) }
    }

    /// An object of string values as a dictionary; non-string members are skipped.
    public var stringMap: [String: String] {
        guard case .object(let o) = self else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in o { if let s = v.stringValue { out[k] = s } }
        return out
    }

    public init(stringMap: [String: String]) {
        self = .object(stringMap.mapValues { .string($0) })
    }
}
