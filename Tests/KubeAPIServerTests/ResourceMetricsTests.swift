/// metrics.k8s.io PodMetrics on the embedded server: served only while a provider is
/// installed, shaped and failing like metrics-server.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing

/// Usage for the pods named in `usage` (by `namespace/name`), nothing for the rest.
struct FixedUsage: PodMetricsProvider {
    var usage: [String: PodUsageSample]

    func podUsage(namespace: String, name: String) async -> PodUsageSample? { usage["\(namespace)/\(name)"] }
}

@Suite struct ResourceMetricsTests {
    static let stamp = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let provider = FixedUsage(usage: [
        "default/web-1": PodUsageSample(containers: [.init(name: "main", cpuNanocores: 123_456_000, memoryBytes: 1264 * 1024),
                                                     .init(name: "side", cpuNanocores: 0, memoryBytes: 1_000_001)],
                                        timestamp: stamp, window: .milliseconds(10_500)),
        "default/web-2": PodUsageSample(containers: [.init(name: "main", cpuNanocores: 1_234_567, memoryBytes: 5 * 1_048_576)],
                                        timestamp: stamp, window: .seconds(10)),
        "other/web-3": PodUsageSample(containers: [.init(name: "main", cpuNanocores: 2_000_000_000, memoryBytes: 512)],
                                      timestamp: stamp, window: .seconds(90)),
    ])

    static func pod(_ name: String, namespace: String, labels: [String: String]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod",
         "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": JSONValue(stringMap: labels)],
         "spec": ["containers": [["name": "main", "image": "busybox"]]]]
    }

    static func seed(_ c: TestHTTPClient) async throws {
        _ = try await c.post("/api/v1/namespaces", Fixture.namespace("other"))
        for (name, ns, app) in [("web-1", "default", "web"), ("web-2", "default", "web"), ("db-1", "default", "db"), ("web-3", "other", "web")] {
            let r = try await c.post("/api/v1/namespaces/\(ns)/pods", pod(name, namespace: ns, labels: ["app": app]))
            #expect(r.status == 201)
        }
    }

    static func names(_ list: JSONValue) -> [String] {
        (list["items"].arrayValue ?? []).compactMap { item in item.namespace.map { "\($0)/\(item.name ?? "")" } }
    }

    @Test func withoutAProviderTheGroupIsNotServed() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            try await Self.seed(c)
            let groups = try await c.get("/apis").json["groups"].arrayValue ?? []
            #expect(!groups.contains { $0["name"] == "metrics.k8s.io" })
            let paths = try await c.get("/").json["paths"].arrayValue ?? []
            #expect(!paths.contains("/apis/metrics.k8s.io"))
            for path in ["/apis/metrics.k8s.io", "/apis/metrics.k8s.io/v1beta1", "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods",
                         "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/web-1", "/apis/metrics.k8s.io/v1beta1/pods"] {
                let r = try await c.get(path)
                #expect(r.status == 404, "\(path)")
                #expect(r.json["reason"] == "NotFound", "\(path)")
            }
            try await c.close()
        }
    }

    @Test func discoveryListsTheGroupWhileAProviderIsInstalled() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            server.setPodMetricsProvider(Self.provider)
            let groups = try await c.get("/apis").json["groups"].arrayValue ?? []
            let metrics = try #require(groups.first { $0["name"] == "metrics.k8s.io" })
            #expect(metrics["preferredVersion"]["groupVersion"] == "metrics.k8s.io/v1beta1")
            #expect((try await c.get("/").json["paths"].arrayValue ?? []).contains("/apis/metrics.k8s.io/v1beta1"))
            let group = try await c.get("/apis/metrics.k8s.io").json
            #expect(group["kind"] == "APIGroup" && group["versions"].arrayValue?.first?["version"] == "v1beta1")
            let resources = try await c.get("/apis/metrics.k8s.io/v1beta1").json
            #expect(resources["groupVersion"] == "metrics.k8s.io/v1beta1")
            let pods = try #require(resources["resources"].arrayValue?.first { $0["name"] == "pods" })
            #expect(pods["kind"] == "PodMetrics" && pods["namespaced"] == true && pods["verbs"] == ["get", "list"])
            #expect(try await c.get("/apis/metrics.k8s.io/v1").status == 404)

            server.setPodMetricsProvider(nil)
            #expect(!(try await c.get("/apis").json["groups"].arrayValue ?? []).contains { $0["name"] == "metrics.k8s.io" })
            #expect(try await c.get("/apis/metrics.k8s.io/v1beta1").status == 404)
            try await c.close()
        }
    }

    @Test func listsByNamespaceAcrossNamespacesAndByLabel() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            try await Self.seed(c)
            server.setPodMetricsProvider(Self.provider)
            let base = "/apis/metrics.k8s.io/v1beta1"
            let inDefault = try await c.get(base + "/namespaces/default/pods").json
            #expect(inDefault["kind"] == "PodMetricsList" && inDefault["apiVersion"] == "metrics.k8s.io/v1beta1")
            // db-1 exists but has no sample: left out, as metrics-server does.
            #expect(Self.names(inDefault) == ["default/web-1", "default/web-2"])
            #expect(Self.names(try await c.get(base + "/pods").json) == ["default/web-1", "default/web-2", "other/web-3"])
            #expect(Self.names(try await c.get(base + "/pods?labelSelector=app%3Dweb").json) == ["default/web-1", "default/web-2", "other/web-3"])
            #expect(Self.names(try await c.get(base + "/namespaces/default/pods?labelSelector=app%3Ddb").json) == [])
            #expect(Self.names(try await c.get(base + "/pods?fieldSelector=metadata.name%3Dweb-2").json) == ["default/web-2"])
            #expect(try await c.get(base + "/pods?labelSelector=app%3D%3D%3D").status == 400)
            #expect(try await c.get(base + "/pods?fieldSelector=spec.nodeName%3Dx").status == 400)
            try await c.close()
        }
    }

    @Test func getRendersTheObjectAsMetricsServerDoes() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            try await Self.seed(c)
            server.setPodMetricsProvider(Self.provider)
            let base = "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"
            let r = try await c.get(base + "/web-1")
            #expect(r.status == 200)
            let m = r.json
            #expect(m["kind"] == "PodMetrics" && m["apiVersion"] == "metrics.k8s.io/v1beta1")
            #expect(m["metadata"]["name"] == "web-1" && m["metadata"]["namespace"] == "default")
            #expect(m["metadata"]["labels"] == ["app": "web"])
            #expect(m["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) != nil)
            #expect(m["timestamp"] == "2026-01-01T00:00:00Z" && m["window"] == "10.5s")
            #expect(m["containers"] == [
                ["name": "main", "usage": ["cpu": "123456u", "memory": "1264Ki"]],
                ["name": "side", "usage": ["cpu": "0", "memory": "1000001"]],
            ])
            let two = try await c.get(base + "/web-2").json
            #expect(two["containers"].arrayValue?.first?["usage"] == ["cpu": "1234567n", "memory": "5Mi"] && two["window"] == "10s")
            let three = try await c.get("/apis/metrics.k8s.io/v1beta1/namespaces/other/pods/web-3").json
            #expect(three["containers"].arrayValue?.first?["usage"] == ["cpu": "2", "memory": "512"] && three["window"] == "1m30s")

            let noSample = try await c.get(base + "/db-1")
            #expect(noSample.status == 404 && noSample.json["reason"] == "NotFound")
            #expect(noSample.json["message"] == "podmetrics.metrics.k8s.io \"default/db-1\" not found")
            let noPod = try await c.get(base + "/ghost")
            #expect(noPod.status == 404 && noPod.json["message"] == "pods \"ghost\" not found")
            try await c.close()
        }
    }

    @Test func writesAndWatchesAreNotAllowed() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            try await Self.seed(c)
            server.setPodMetricsProvider(Self.provider)
            let base = "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods"
            let body: JSONValue = ["apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics", "metadata": ["name": "web-1"]]
            for r in [try await c.post(base, body), try await c.put(base + "/web-1", body), try await c.patch(base + "/web-1", ["window": "1s"]),
                      try await c.delete(base + "/web-1"), try await c.delete(base), try await c.get(base + "?watch=true")] {
                #expect(r.status == 405)
                #expect(r.json["kind"] == "Status" && r.json["reason"] == "MethodNotAllowed")
            }
            #expect(try await c.get(base + "/web-1").status == 200)
            try await c.close()
        }
    }

    @Test func clientListsPodMetricsAndSeesNotFoundWhenUnserved() async throws {
        try await withClient { server, client in
            let c = try TestHTTPClient(server)
            try await Self.seed(c)
            try await c.close()
            do {
                _ = try await client.listPodMetrics(namespace: "default", labelSelector: nil)
                Issue.record("listing PodMetrics without a provider succeeded")
            } catch let error as KubeClientError {
                #expect(error.isNotFound, "\(error)")
            }
            server.setPodMetricsProvider(Self.provider)
            let web = try await client.listPodMetrics(namespace: nil, labelSelector: "app=web")
            #expect(web.map(\.metadata.name) == ["web-1", "web-2", "web-3"])
            #expect(web.first?.containers.first?.usage == ["cpu": "123456u", "memory": "1264Ki"])
            #expect(web.first?.window == "10.5s")
            #expect(try await client.listPodMetrics(namespace: "other", labelSelector: nil).map(\.metadata.name) == ["web-3"])
        }
    }
}
