/// `kubectl apply -k manifests/` against the embedded API server: every object of the
/// installation is created and readable by the names and short names kubectl users type,
/// a second apply changes nothing, and the Deployment takes the strategic merge patches and
/// scale requests `kubectl set image` and `kubectl scale` send.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite("manifests/ with kubectl apply -k", .serialized)
struct ManifestsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let manifests = root.appendingPathComponent("manifests").path

    /// What the installation must contain (the RBAC objects come from `ferry rbac`'s file,
    /// counted through `kubectl kustomize`).
    static let required = [
        "namespace/ferry-system",
        "customresourcedefinition.apiextensions.k8s.io/connections.ferry.dev",
        "customresourcedefinition.apiextensions.k8s.io/syncs.ferry.dev",
        "serviceaccount/ferry-operator",
        "clusterrole.rbac.authorization.k8s.io/ferry-operator",
        "clusterrolebinding.rbac.authorization.k8s.io/ferry-operator",
        "role.rbac.authorization.k8s.io/ferry-operator-leader-election",
        "rolebinding.rbac.authorization.k8s.io/ferry-operator-leader-election",
        "clusterrole.rbac.authorization.k8s.io/ferry-worker",
        "priorityclass.scheduling.k8s.io/ferry-warm-worker",
        "deployment.apps/ferry-operator",
        "service/ferry-operator-metrics",
        "poddisruptionbudget.policy/ferry-operator",
        "networkpolicy.networking.k8s.io/ferry-worker",
    ]

    @Test func applyCreatesEveryObject() async throws {
        try #require(Kubectl.isInstalled, "kubectl must be on PATH")
        try await withAPIServer { server in
            let kubectl = try Kubectl(server: server)
            defer { kubectl.cleanUp() }
            let rendered = try await kubectl.run("kustomize", Self.manifests)
            #expect(rendered.succeeded, "\(rendered.stderr)")
            let documentCount = rendered.stdout.split(separator: "\n").filter { $0 == "---" }.count + 1

            var r = try await kubectl.run("apply", "-k", Self.manifests)
            #expect(r.succeeded, "\(r.stderr)")
            let created = r.stdout.split(separator: "\n").compactMap { line -> String? in
                line.hasSuffix(" created") ? String(line.dropLast(" created".count)) : nil
            }
            #expect(created.count == documentCount, "\(r.stdout)")
            for object in Self.required { #expect(created.contains(object), "\(object) missing from:\n\(r.stdout)") }

            // Every object reads back; namespaced ones from ferry-system.
            for object in created {
                let get = try await kubectl.run("get", object, "-n", "ferry-system", "-o", "name")
                #expect(get.succeeded && get.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == object, "\(object): \(get.stderr)")
            }
            // Short names resolve through discovery.
            r = try await kubectl.run("get", "deploy,svc,pdb,netpol,sa,role,rolebinding", "-n", "ferry-system", "-o", "name")
            #expect(r.succeeded, "\(r.stderr)")
            for object in ["deployment.apps/ferry-operator", "service/ferry-operator-metrics", "poddisruptionbudget.policy/ferry-operator",
                           "networkpolicy.networking.k8s.io/ferry-worker", "serviceaccount/ferry-operator",
                           "role.rbac.authorization.k8s.io/ferry-operator-leader-election"] {
                #expect(r.stdout.contains(object), "\(object) not in:\n\(r.stdout)")
            }
            r = try await kubectl.run("get", "pc", "ferry-warm-worker", "-o", "jsonpath={.value}")
            #expect(r.succeeded && r.stdout == "-10", "\(r.stdout) \(r.stderr)")
            r = try await kubectl.run("api-resources", "--namespaced=false", "-o", "name")
            let clusterScoped = Set(r.stdout.split(separator: "\n").map(String.init))
            #expect(clusterScoped.isSuperset(of: ["priorityclasses.scheduling.k8s.io", "clusterroles.rbac.authorization.k8s.io",
                                                  "clusterrolebindings.rbac.authorization.k8s.io"]), "\(r.stdout)")
            #expect(!clusterScoped.contains("roles.rbac.authorization.k8s.io") && !clusterScoped.contains("deployments.apps"))

            // The Deployment as stored: the pod downward API, probes and defaults.
            r = try await kubectl.run("get", "deployment", "ferry-operator", "-n", "ferry-system", "-o", "json")
            let deployment = try JSONValue.parse(r.stdout)
            #expect(deployment[path: ["spec", "replicas"]] == 2)
            #expect(deployment[path: ["spec", "strategy", "type"]] == "RollingUpdate")
            #expect(deployment.generation == 1)
            let container = try #require(deployment[path: ["spec", "template", "spec", "containers"]].arrayValue?.first)
            #expect(container["readinessProbe"]["httpGet"]["path"] == "/readyz")
            #expect(container["args"].arrayValue?.contains("--leader-elect=true") == true)
            // The worker pods run the operator's image (kustomization.yaml's replacement).
            let image = try #require(container["image"].stringValue)
            #expect(container["args"].arrayValue?.contains(.string("--worker-image=" + image)) == true, "\(container["args"])")
            #expect(container["env"].arrayValue?.first?["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace")

            // A second apply changes nothing. A PodDisruptionBudget's selector has the patch
            // strategy `replace`, so kubectl always sends it and reports `configured`, as it
            // does against kube-apiserver; the object stays the same.
            let pdbBefore = try await kubectl.run("get", "pdb", "ferry-operator", "-n", "ferry-system", "-o", "jsonpath={.spec}")
            r = try await kubectl.run("apply", "-k", Self.manifests)
            #expect(r.succeeded, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == documentCount, "\(r.stdout)")
            #expect(lines.filter { !$0.hasSuffix(" unchanged") } == ["poddisruptionbudget.policy/ferry-operator configured"], "\(r.stdout)")
            let pdbAfter = try await kubectl.run("get", "pdb", "ferry-operator", "-n", "ferry-system", "-o", "jsonpath={.spec}")
            #expect(pdbAfter.stdout == pdbBefore.stdout && !pdbBefore.stdout.isEmpty)

            // `kubectl set image` sends a strategic merge patch that names the container by its
            // merge key; the other fields of the container stay.
            r = try await kubectl.run("set", "image", "deployment/ferry-operator", "operator=registry.example/ferry:2", "-n", "ferry-system")
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "deployment", "ferry-operator", "-n", "ferry-system", "-o", "json")
            let patched = try JSONValue.parse(r.stdout)
            let patchedContainer = try #require(patched[path: ["spec", "template", "spec", "containers"]].arrayValue?.first)
            #expect(patchedContainer["image"] == "registry.example/ferry:2")
            #expect(patchedContainer["args"] == container["args"])
            #expect(patched.generation == 2)

            // The scale subresource.
            r = try await kubectl.run("scale", "deployment/ferry-operator", "--replicas=3", "-n", "ferry-system")
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "--raw", "/apis/apps/v1/namespaces/ferry-system/deployments/ferry-operator/scale")
            let scale = try JSONValue.parse(r.stdout)
            #expect(scale["kind"] == "Scale" && scale[path: ["spec", "replicas"]] == 3, "\(r.stdout)")
        }
    }

    @Test func invalidInstallationObjectsAreRefused() async throws {
        try #require(Kubectl.isInstalled, "kubectl must be on PATH")
        try await withAPIServer { server in
            let kubectl = try Kubectl(server: server)
            defer { kubectl.cleanUp() }
            let deployment = try kubectl.write("deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: mismatched, namespace: default}
                spec:
                  selector: {matchLabels: {app: a}}
                  template:
                    metadata: {labels: {app: b}}
                    spec:
                      containers: [{name: c, image: busybox}]
                """)
            var r = try await kubectl.run("apply", "-f", deployment)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("spec.template.metadata.labels") && r.stderr.contains("`selector` does not match template `labels`"), "\(r.stderr)")

            let binding = try kubectl.write("binding.yaml", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: b}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
                subjects: [{kind: ServiceAccount, name: s}]
                """)
            r = try await kubectl.run("apply", "-f", binding)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("roleRef.kind") && r.stderr.contains("subjects[0].namespace"), "\(r.stderr)")

            let priority = try kubectl.write("pc.yaml", """
                apiVersion: scheduling.k8s.io/v1
                kind: PriorityClass
                metadata: {name: too-high}
                value: 2000000000
                """)
            r = try await kubectl.run("apply", "-f", priority)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("maximum allowed value of a user defined priority"), "\(r.stderr)")
        }
    }
}
