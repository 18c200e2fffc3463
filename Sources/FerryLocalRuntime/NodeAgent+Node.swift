/// The Node object and its heartbeat: a Lease in `kube-node-lease` renewed every
/// `heartbeatInterval`, and the Ready condition's lastHeartbeatTime refreshed less often
/// (the kubelet's split between lease renewals and node status reports).
import Foundation
import KubeClient
import KubeCore

extension NodeAgent {
    static let leaseNamespace = "kube-node-lease"
    /// Node status is re-posted every this many lease renewals.
    static let statusEveryHeartbeats = 6

    /// Registers the Node, retrying every failure with `AgentBackoff.nodeRegistration`
    /// like the kubelet, which never stops trying: an API server that is down, overloaded
    /// or not yet letting this node in may be fine at the next attempt. Returns false when
    /// the task was cancelled before the Node was registered.
    func registerNodeRetrying() async -> Bool {
        var failures = 0
        while !Task.isCancelled {
            do {
                try await registerNode()
                if failures > 0 { logger.info("node registered", metadata: ["node": "\(configuration.nodeName)", "attempts": "\(failures + 1)"]) }
                return true
            } catch {
                if Task.isCancelled { return false }
                failures += 1
                let delay = AgentBackoff.nodeRegistration.delay(afterFailures: failures)
                logger.warning("registering node failed, retrying", metadata: [
                    "node": "\(configuration.nodeName)", "error": "\(error)", "attempt": "\(failures)", "retryIn": "\(delay)",
                ])
                do { try await configuration.clock.sleep(for: delay) } catch { return false }
            }
        }
        return false
    }

    func registerNode() async throws(KubeClientError) {
        let name = configuration.nodeName
        let node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": [
                "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": .string(Self.architecture),
                "node.ferry.dev/runtime": .string(configuration.mode.rawValue),
            ]],
            "spec": .emptyObject,
        ]
        do {
            _ = try await client.create(node, .node)
        } catch where error.isAlreadyExists {
            // Re-registration after a restart keeps the object.
        }
        try await postNodeStatus()
    }

    func postNodeStatus() async throws(KubeClientError) {
        let name = configuration.nodeName
        let current = try await client.get(.node, name: name)
        let now = KubeTime.format(configuration.clock.wallTime)
        let previous = current[path: ["status", "conditions"]].arrayValue ?? []
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
            let old = previous.first { $0["type"].stringValue == type }
            let transition = old.flatMap { $0["status"].stringValue == status ? $0["lastTransitionTime"].stringValue : nil } ?? now
            return ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                    "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(transition)]
        }
        let capacity = JSONValue.object(configuration.capacity.mapValues { .string($0) })
        let status: JSONValue = [
            "capacity": capacity, "allocatable": capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [["type": "InternalIP", "address": "127.0.0.1"], ["type": "Hostname", "address": .string(name)]],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": 0]],
            "nodeInfo": [
                "architecture": .string(Self.architecture), "operatingSystem": "linux", "osImage": "local processes",
                "kernelVersion": "", "kubeletVersion": "ferry-node", "kubeProxyVersion": "",
                "containerRuntimeVersion": .string("ferry-\(configuration.mode.rawValue)://1"),
                "machineID": "", "systemUUID": "", "bootID": "",
            ],
        ]
        _ = try await client.patchStatus(.node, name: name, patch: ["status": status], type: .merge)
    }

    /// Renews the node Lease until cancelled; posts node status every few renewals.
    func heartbeat() async {
        var beats = 0
        while !Task.isCancelled {
            do {
                try await renewLease()
                if beats > 0 && beats % Self.statusEveryHeartbeats == 0 { try await postNodeStatus() }
            } catch {
                if Task.isCancelled { return }
                logger.warning("node heartbeat failed", metadata: ["node": "\(configuration.nodeName)", "error": "\(error)"])
            }
            beats += 1
            do { try await configuration.clock.sleep(for: configuration.heartbeatInterval) } catch { return }
        }
    }

    func renewLease() async throws(KubeClientError) {
        let name = configuration.nodeName
        let renewTime = JSONValue.string(KubeTime.formatMicro(configuration.clock.wallTime))
        do {
            _ = try await client.patch(.lease, name: name, namespace: Self.leaseNamespace,
                                       patch: ["spec": ["renewTime": renewTime, "holderIdentity": .string(name)]], type: .merge)
            return
        } catch where error.isNotFound {
            // First heartbeat: create the Lease (and its namespace where nothing made it).
        }
        do {
            _ = try await client.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(Self.leaseNamespace)]], .namespace)
        } catch where error.isAlreadyExists {
        } catch {
            // Forbidden on clusters where only the control plane creates it; it exists there.
        }
        let node = try await client.get(.node, name: name)
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": .string(Self.leaseNamespace),
                         "ownerReferences": [["apiVersion": "v1", "kind": "Node", "name": .string(name), "uid": .string(node.uid ?? "")]]],
            "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40, "renewTime": renewTime],
        ]
        do {
            _ = try await client.create(lease, .lease, namespace: Self.leaseNamespace)
        } catch where error.isAlreadyExists {
        }
    }

    static var architecture: String {
        #if arch(arm64)
        return "arm64"
        #else
        return "amd64"
        #endif
    }
}
