/// The one declaration of what the operator and its worker pods may do in the API: the
/// rules `ferry rbac` renders into `manifests/rbac.yaml`, and the rules the operator's
/// requests in `OperatorRBACTests` are checked against. Each rule says which code needs it;
/// a verb nobody calls does not belong here (least privilege), and a call not covered
/// here fails that test.
import FerryAPI
import KubeCore

public enum OperatorPermissions {
    /// Namespace of the operator's Deployment, ServiceAccount and leader election Lease.
    public static let namespace = "ferry-system"
    /// ServiceAccount, ClusterRole and ClusterRoleBinding of the operator.
    public static let operatorName = "ferry-operator"
    /// Role and RoleBinding (in `namespace`) for the leader election Lease.
    public static let leaderElectionName = "ferry-operator-leader-election"
    /// The Lease `ferry operator --leader-elect` holds (see OperatorCommand).
    public static let leaseName = "ferry-operator"
    /// ClusterRole of worker pods, bound per namespace by a RoleBinding to a ServiceAccount of this name.
    public static let workerName = "ferry-worker"

    private static let ferry = FerryAPI.group
    private static let core = ""

    /// Granted in every namespace the operator watches (a ClusterRole, as `--namespace` is
    /// optional and defaults to all namespaces).
    public static let clusterRules: [PolicyRule] = [
        // Informers of the Sync, Connection and probe controllers list and watch the
        // connectors; the probe reconciler reads the live object before writing its status.
        PolicyRule(apiGroups: [ferry], resources: ["sources", "destinations"], verbs: ["get", "list", "watch"]),
        // ConnectorProbeController: check and discovery results in status (updateStatus = PUT).
        PolicyRule(apiGroups: [ferry], resources: ["sources/status", "destinations/status"], verbs: ["update"]),
        // Informers of the Sync, Connection and WorkerPool controllers; ConnectionController
        // suspends a failing Connection (auto-disable: merge patch of spec.suspend).
        PolicyRule(apiGroups: [ferry], resources: ["connections"], verbs: ["list", "watch", "patch"]),
        // ConnectionController: schedule, last syncs, failure streak and state summary in status.
        PolicyRule(apiGroups: [ferry], resources: ["connections/status"], verbs: ["update"]),
        // Informers of every controller; SyncReconciler and PodSweeper read the live Sync;
        // ConnectionController creates scheduled Syncs, deletes them past the history limits
        // and for concurrencyPolicy Replace.
        PolicyRule(apiGroups: [ferry], resources: ["syncs"], verbs: ["get", "list", "watch", "create", "delete"]),
        // SyncController: phase, attempts, conditions and progress in status.
        PolicyRule(apiGroups: [ferry], resources: ["syncs/status"], verbs: ["update"]),
        // Informers of the Sync and WorkerPool controllers; WorkerPoolController creates the
        // default pool (--default-pool-workers) in a namespace that has none.
        PolicyRule(apiGroups: [ferry], resources: ["workerpools"], verbs: ["list", "watch", "create"]),
        // WorkerPoolController: workers, occupancy and autoscaling conditions (merge patch of status).
        PolicyRule(apiGroups: [ferry], resources: ["workerpools/status"], verbs: ["patch"]),
        // The pod informer shared by the Sync, probe, WorkerPool controllers and PodSweeper
        // (list, watch; get when the cache has not seen a just-created pod); Sync and probe
        // controllers create and delete their worker pods, WorkerPoolController its warm-worker
        // placeholders, PodSweeper deletes finished and orphaned worker pods.
        PolicyRule(apiGroups: [core], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"]),
        // Sync and probe controllers read connector secretRefs and create the per-attempt
        // `<pod>-config` Secret; they and PodSweeper delete it with its pod. No informer:
        // Secrets are read one by one, never listed or watched.
        PolicyRule(apiGroups: [core], resources: ["secrets"], verbs: ["get", "create", "delete"]),
        // SyncController: the attempt's progress ConfigMap (create, read) and the Connection's
        // state store (get, create, update); ConnectionController reads the state store;
        // probe controller creates, reads and deletes its catalog ConfigMap.
        PolicyRule(apiGroups: [core], resources: ["configmaps"], verbs: ["get", "create", "update", "delete"]),
        // EventRecorder (every controller): new Events are created, repeats patched (count++).
        PolicyRule(apiGroups: [core], resources: ["events"], verbs: ["create", "patch"]),
        // WorkerPoolController: Resource metrics of an autoscaled pool's worker pods (PodMetrics list).
        PolicyRule(apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["list"]),
    ]

    /// Granted only in `namespace`, for `LeaderElector`: it creates the Lease once, then reads
    /// and renews (updates) only that one. It records no Events, so none are granted here.
    public static let leaderElectionRules: [PolicyRule] = [
        // `create` cannot be limited by name (the name is not known to the authorizer yet).
        PolicyRule(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"]),
        PolicyRule(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update"], resourceNames: [leaseName]),
    ]

    /// Worker pods (`ferry worker relay --progress-configmap` and `ferry worker probe`) merge
    /// their progress and catalog into a ConfigMap the operator created before the pod.
    public static let workerRules: [PolicyRule] = [
        PolicyRule(apiGroups: [core], resources: ["configmaps"], verbs: ["patch"]),
    ]

    /// Whether the operator's rules allow a request in `namespace` (nil: cluster-scoped):
    /// the ClusterRole anywhere, the leader election Role in `OperatorPermissions.namespace`.
    public static func operatorAllows(verb: String, group: String, resource: String, subresource: String?, namespace: String?, name: String?) -> Bool {
        let rules = clusterRules + (namespace == Self.namespace ? leaderElectionRules : [])
        return rules.contains { $0.allows(verb: verb, group: group, resource: resource, subresource: subresource, name: name) }
    }
}
