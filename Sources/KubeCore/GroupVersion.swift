/// `group/version`; the core group is the empty string (`v1`).
public struct GroupVersion: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Parses an `apiVersion` field: `v1` or `apps/v1`.
    public init?(apiVersion: String) {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(group: "", version: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(group: String(parts[0]), version: String(parts[1]))
        default:
            return nil
        }
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { apiVersion }

    /// URL prefix: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }
}

public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    public init?(apiVersion: String, kind: String) {
        guard let gv = GroupVersion(apiVersion: apiVersion) else { return nil }
        self.init(group: gv.group, version: gv.version, kind: kind)
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var apiVersion: String { groupVersion.apiVersion }
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    /// `pods` or `leases.coordination.k8s.io`, as used in API error messages.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    public var description: String { "\(groupVersion.apiVersion)/\(resource)" }
}

/// Everything needed to address a kind over HTTP: its GVK, plural resource and scope.
public struct ResourceType: Sendable, Hashable {
    public var gvk: GroupVersionKind
    public var plural: String
    public var namespaced: Bool

    public init(group: String, version: String, kind: String, plural: String, namespaced: Bool) {
        self.gvk = GroupVersionKind(group: group, version: version, kind: kind)
        self.plural = plural
        self.namespaced = namespaced
    }

    public var gvr: GroupVersionResource { GroupVersionResource(group: gvk.group, version: gvk.version, resource: plural) }
    public var apiVersion: String { gvk.apiVersion }
    public var kind: String { gvk.kind }
}

extension ResourceType {
    public static let namespace = ResourceType(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false)
    public static let node = ResourceType(group: "", version: "v1", kind: "Node", plural: "nodes", namespaced: false)
    public static let pod = ResourceType(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true)
    public static let secret = ResourceType(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true)
    public static let configMap = ResourceType(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)
    public static let event = ResourceType(group: "", version: "v1", kind: "Event", plural: "events", namespaced: true)
    public static let eventsV1 = ResourceType(group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", namespaced: true)
    public static let serviceAccount = ResourceType(group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true)
    public static let lease = ResourceType(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true)
    public static let customResourceDefinition = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", namespaced: false)
}
