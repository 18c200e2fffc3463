/// Security contexts of worker pods: the restricted Pod Security profile by default, and
/// the Connection's `podTemplate.securityContext` as the documented opt-out.
import KubeCore

public enum WorkerPodSecurity {
    /// The restricted profile's pod-level part. uid/gid 1000 is the `airbyte` user of
    /// Airbyte's connector images; an explicit uid lets the kubelet verify runAsNonRoot for
    /// images whose USER is a name.
    public static let restrictedPod: JSONValue = [
        "runAsNonRoot": true,
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "seccompProfile": ["type": "RuntimeDefault"],
    ]

    /// The restricted profile's container-level part.
    public static let restrictedContainer: JSONValue = [
        "allowPrivilegeEscalation": false,
        "capabilities": ["drop": ["ALL"]],
    ]

    /// Fields that exist only in a container's SecurityContext; the others of
    /// `podTemplate.securityContext` belong to the PodSecurityContext.
    static let containerOnlyKeys: Set<String> = ["allowPrivilegeEscalation", "capabilities", "privileged", "procMount", "readOnlyRootFilesystem"]

    /// The pod's and every container's securityContext. `podTemplate.securityContext` takes
    /// fields of both kinds: pod-level fields (runAsUser, runAsNonRoot, fsGroup, ...) go to
    /// the pod, container-only fields (allowPrivilegeEscalation, capabilities, privileged,
    /// ...) to every container, each replacing the default key by key. An image that needs
    /// root sets `{runAsNonRoot: false, runAsUser: 0}` (and capabilities if it needs them).
    static func contexts(restricted: Bool, override: JSONValue?) throws(WorkerPodBuildError) -> (pod: JSONValue?, container: JSONValue?) {
        var pod: [String: JSONValue] = restricted ? (restrictedPod.objectValue ?? [:]) : [:]
        var container: [String: JSONValue] = restricted ? (restrictedContainer.objectValue ?? [:]) : [:]
        if let override, !override.isNull {
            guard let fields = override.objectValue else {
                throw WorkerPodBuildError("Connection spec.podTemplate.securityContext must be an object, not \(override.typeName)")
            }
            for (key, value) in fields {
                if containerOnlyKeys.contains(key) { container[key] = value } else { pod[key] = value }
            }
        }
        return (pod.isEmpty ? nil : .object(pod), container.isEmpty ? nil : .object(container))
    }
}
