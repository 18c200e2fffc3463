import KubeCore
import Testing

@Suite("Request building")
struct RequestBuilderTests {
    @Test func pathsForCoreGroupCustomAndClusterScoped() {
        #expect(RequestBuilder(.pod).path(namespace: "ns", name: "p", subresource: "status") == "/api/v1/namespaces/ns/pods/p/status")
        #expect(RequestBuilder(.pod).path(namespace: nil) == "/api/v1/pods")
        #expect(RequestBuilder(.lease).path(namespace: "kube-system", name: "l") == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l")
        #expect(RequestBuilder(.namespace).path(namespace: "ignored", name: "n") == "/api/v1/namespaces/n")
        let crd = ResourceType(group: "ferry.dev", version: "v1alpha1", kind: "Sync", plural: "syncs", namespaced: true)
        #expect(RequestBuilder(crd).path(namespace: "d", name: "s", subresource: "scale") == "/apis/ferry.dev/v1alpha1/namespaces/d/syncs/s/scale")
    }

    @Test func listAndWatchQueries() {
        let options = ListOptions(labelSelector: "app in (a,b)", limit: 50, continueToken: "tok", resourceVersion: "10", timeoutSeconds: 30, allowWatchBookmarks: true)
        let watch = RequestBuilder(.pod).watch(namespace: "ns", options: options)
        #expect(watch.pathAndQuery == "/api/v1/namespaces/ns/pods?watch=true&labelSelector=app%20in%20%28a%2Cb%29&limit=50&continue=tok&resourceVersion=10&timeoutSeconds=30&allowWatchBookmarks=true")
        #expect(watch.isIdempotent)
    }

    @Test func writesCarryBodiesAndContentTypes() throws {
        let b = RequestBuilder(.configMap)
        let create = b.create(["metadata": ["name": "c"]], namespace: "ns", fieldManager: "ferry")
        #expect(create.method == .POST && create.contentType == "application/json" && create.query.map(\.0) == ["fieldManager"])
        #expect(!create.isIdempotent)
        let patch = b.patch(Array(#"{"data":{"a":"b"}}"#.utf8), type: .merge, name: "c", namespace: "ns")
        #expect(patch.method == .PATCH && patch.contentType == "application/merge-patch+json")
        let delete = b.delete(name: "c", namespace: "ns", options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u"))
        let body = try JSONValue.parse(delete.body ?? [])
        #expect(body["propagationPolicy"] == "Foreground" && body["preconditions"]["uid"] == "u")
    }

    @Test func namesThatAreNotDNSAreEscapedSoTheyCannotAlterThePath() {
        #expect(RequestBuilder(.pod).path(namespace: "ns", name: "../x") == "/api/v1/namespaces/ns/pods/..%2Fx")
    }

    @Test func groupVersionParsing() {
        #expect(GroupVersion(apiVersion: "v1") == GroupVersion(group: "", version: "v1"))
        #expect(GroupVersion(apiVersion: "apps/v1")?.pathPrefix == "/apis/apps/v1")
        #expect(GroupVersion(apiVersion: "a/b/c") == nil)
        #expect(GroupVersion(apiVersion: "/v1") == nil)
    }
}
