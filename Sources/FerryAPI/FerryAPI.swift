/// Ferry resource API constants: the `ferry.dev/v1alpha1` group version and the list of kinds.
import KubeCore

/// Namespace for API-wide constants and the list of kinds.
public enum FerryAPI {
    public static let group = "ferry.dev"
    public static let version = "v1alpha1"
    public static let apiVersion = "\(group)/\(version)"
    /// The category every Ferry kind belongs to, so `kubectl get ferry` lists them all.
    public static let category = "ferry"

    /// Every Ferry kind, in the order they are documented and rendered.
    public static let kinds: [any FerryResource.Type] = [Source.self, Destination.self, Connection.self, Sync.self, WorkerPool.self]

    /// The kind with this name, if it is a Ferry kind.
    public static func kind(named name: String) -> (any FerryResource.Type)? {
        kinds.first { $0.resourceType.kind == name }
    }
}

/// A top-level Ferry object: typed metadata, spec and status, with its resource type and CRD.
public protocol FerryResource: Codable, Sendable {
    static var resourceType: ResourceType { get }
    /// Everything the CRD says about this kind beyond its name (schema, columns, names).
    static var definition: ResourceDefinition { get }
    var metadata: ObjectMeta { get set }
}

extension ResourceType {
    /// A namespaced kind in `ferry.dev/v1alpha1`.
    static func ferry(kind: String, plural: String) -> ResourceType {
        ResourceType(group: FerryAPI.group, version: FerryAPI.version, kind: kind, plural: plural, namespaced: true)
    }
}
