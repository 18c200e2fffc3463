/// The kubectl compatibility scenario: the real `kubectl` drives a freshly started
/// embedded API server through the everyday workflow, step by step.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite("kubectl against the embedded API server", .serialized)
struct KubectlScenarioTests {
    @Test func everydayWorkflow() async throws {
        try #require(Kubectl.isInstalled, "kubectl must be on PATH")
        try await withAPIServer { server in
            let kubectl = try Kubectl(server: server)
            defer { kubectl.cleanUp() }

            // Namespaces.
            var r = try await kubectl.run("create", "namespace", "demo")
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("namespace/demo created"))

            // A CRD becomes Established and its resource is served.
            let crd = try kubectl.write("crd.yaml", Fixtures.widgetCRD)
            r = try await kubectl.run("apply", "-f", crd)
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("customresourcedefinition.apiextensions.k8s.io/widgets.test.ferry.dev created"))
            r = try await kubectl.run("wait", "--for=condition=Established", "crd/widgets.test.ferry.dev", "--timeout=20s")
            #expect(r.succeeded, "\(r.stderr)")

            // Apply a custom resource; defaults are filled in.
            let w1 = try kubectl.write("w1.yaml", Fixtures.widget("w1"))
            r = try await kubectl.run("apply", "-f", w1)
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("widget.test.ferry.dev/w1 created"))
            r = try await kubectl.run("get", "widget", "w1", "-n", "demo", "-o", "json")
            let w1JSON = try JSONValue.parse(r.stdout)
            #expect(w1JSON["spec"]["color"] == "blue")
            #expect(w1JSON.generation == 1)

            // Applying the same file again changes nothing.
            r = try await kubectl.run("apply", "-f", w1)
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("widget.test.ferry.dev/w1 unchanged"))
            r = try await kubectl.run("get", "widget", "w1", "-n", "demo", "-o", "json")
            let again = try JSONValue.parse(r.stdout)
            #expect(again.generation == w1JSON.generation)
            #expect(again.resourceVersion == w1JSON.resourceVersion)

            // get shows the printer columns, by plural, short name and category.
            r = try await kubectl.run("get", "widgets", "-n", "demo")
            #expect(r.succeeded, "\(r.stderr)")
            let header = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "SIZE", "REPLICAS", "READY", "AGE"])
            #expect(r.stdout.contains("w1") && r.stdout.contains("small"))
            r = try await kubectl.run("get", "wd", "-n", "demo", "-o", "name")
            #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "widget.test.ferry.dev/w1")
            r = try await kubectl.run("get", "ferrytest", "-n", "demo", "-o", "name")
            #expect(r.stdout.contains("widget.test.ferry.dev/w1"), "\(r.stderr)")

            // describe and explain.
            r = try await kubectl.run("describe", "widget", "w1", "-n", "demo")
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("Name:") && r.stdout.contains("w1") && r.stdout.contains("Size:"))
            r = try await kubectl.run("explain", "widgets.spec")
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("What the widget should be."))
            #expect(r.stdout.contains("How many copies to run."))

            // get -w receives the events of a change.
            let watch = try kubectl.start("get", "widgets", "-n", "demo", "-w", "--output-watch-events")
            defer { watch.stop() }
            try await waitUntil(timeout: .seconds(20)) { watch.text.contains("w1") }
            r = try await kubectl.run("patch", "widget", "w1", "-n", "demo", "--type=merge", "-p", #"{"spec":{"size":"medium"}}"#)
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("widget.test.ferry.dev/w1 patched"))
            try await waitUntil(timeout: .seconds(20)) { watch.text.contains("MODIFIED") && watch.text.contains("medium") }
            watch.stop()

            // Schema violations are rejected with the field path.
            let bad = try kubectl.write("bad.yaml", Fixtures.widget("bad", size: "huge"))
            r = try await kubectl.run("apply", "-f", bad)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("spec.size"), "\(r.stderr)")
            #expect(r.stderr.contains("Unsupported value"), "\(r.stderr)")
            let tooMany = try kubectl.write("many.yaml", Fixtures.widget("many", size: "small", replicas: 20))
            r = try await kubectl.run("apply", "-f", tooMany)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("only large widgets may have more than 10 replicas"), "\(r.stderr)")

            // wait --for=condition=Ready sees a status change made through the status subresource.
            let waiter = try kubectl.start("wait", "--for=condition=Ready", "widget/w1", "-n", "demo", "--timeout=30s")
            defer { waiter.stop() }
            r = try await kubectl.run(
                "patch", "widget", "w1", "-n", "demo", "--subresource=status", "--type=merge", "-p",
                #"{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Test","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}"#)
            #expect(r.succeeded, "\(r.stderr)")
            try await waitUntil(timeout: .seconds(30)) { !waiter.process.isRunning }
            #expect(waiter.process.terminationStatus == 0)
            #expect(waiter.text.contains("condition met"))

            // scale goes through the scale subresource.
            r = try await kubectl.run("scale", "widget", "w1", "-n", "demo", "--replicas=3")
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "widget", "w1", "-n", "demo", "-o", "jsonpath={.spec.replicas}")
            #expect(r.stdout == "3")

            // A finalizer blocks deletion until it is removed.
            let w2 = try kubectl.write("w2.yaml", Fixtures.widget("w2", finalizers: ["test.ferry.dev/hold"]))
            r = try await kubectl.run("apply", "-f", w2)
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("delete", "widget", "w2", "-n", "demo", "--wait=false")
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "widget", "w2", "-n", "demo", "-o", "jsonpath={.metadata.deletionTimestamp}")
            #expect(r.succeeded && !r.stdout.isEmpty, "still present, marked for deletion")
            r = try await kubectl.run("patch", "widget", "w2", "-n", "demo", "--type=json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#)
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "widget", "w2", "-n", "demo")
            #expect(!r.succeeded)
            #expect(r.stderr.contains("NotFound") || r.stderr.contains("not found"), "\(r.stderr)")

            // A dependent is garbage-collected when its owner is deleted.
            let uid = try await kubectl.run("get", "widget", "w1", "-n", "demo", "-o", "jsonpath={.metadata.uid}").stdout
            #expect(!uid.isEmpty)
            let dependent = try kubectl.write("cm.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: w1-config
                  namespace: demo
                  ownerReferences:
                    - {apiVersion: test.ferry.dev/v1, kind: Widget, name: w1, uid: "\(uid)"}
                data: {a: "1"}
                """)
            r = try await kubectl.run("apply", "-f", dependent)
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("delete", "widget", "w1", "-n", "demo")
            #expect(r.succeeded, "\(r.stderr)")
            try await waitUntil(timeout: .seconds(20)) {
                try await !kubectl.run("get", "configmap", "w1-config", "-n", "demo").succeeded
            }
        }
    }
}
