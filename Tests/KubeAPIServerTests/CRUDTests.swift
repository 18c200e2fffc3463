/// Create/read/update/delete semantics and the exact error responses for bad input.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct CRUDTests {
    @Test func createGetUpdateDeleteWithMonotonicResourceVersions() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let created = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a"))
            #expect(created.status == 201)
            let obj = created.json
            #expect(obj.uid?.isEmpty == false)
            #expect(obj["metadata"]["creationTimestamp"].stringValue != nil)
            #expect(obj.generation == 1)
            let rv1 = Int(obj.resourceVersion ?? "") ?? 0
            #expect(rv1 > 0)

            let fetched = try await c.get("/api/v1/namespaces/default/configmaps/a")
            #expect(fetched.status == 200 && fetched.json == obj)

            var changed = obj
            changed["data"] = ["k": "v2"]
            let updated = try await c.put("/api/v1/namespaces/default/configmaps/a", changed)
            #expect(updated.status == 200)
            let rv2 = Int(updated.json.resourceVersion ?? "") ?? 0
            #expect(rv2 > rv1)

            // Stale resourceVersion: 409 with the exact message.
            let stale = try await c.put("/api/v1/namespaces/default/configmaps/a", changed)
            #expect(stale.status == 409)
            #expect(stale.json["reason"] == "Conflict")
            #expect(stale.json["message"] == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again")

            // A uid in the body is a precondition: another object's uid (the name deleted
            // and recreated) is a Conflict, as the kubelet's status patches rely on.
            var otherUID = updated.json
            otherUID[path: ["metadata", "uid"]] = "00000000-0000-0000-0000-000000000000"
            otherUID[path: ["metadata", "resourceVersion"]] = nil
            let recreated = try await c.put("/api/v1/namespaces/default/configmaps/a", otherUID)
            #expect(recreated.status == 409 && recreated.json["reason"] == "Conflict")
            #expect(recreated.json["message"].stringValue?.contains("Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: \(obj.uid ?? "")") == true)

            // No-op update keeps the resourceVersion.
            let same = try await c.put("/api/v1/namespaces/default/configmaps/a", updated.json)
            #expect(same.json.resourceVersion == updated.json.resourceVersion)

            let dup = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("a"))
            #expect(dup.status == 409 && dup.json["reason"] == "AlreadyExists")
            #expect(dup.json["message"] == "configmaps \"a\" already exists")

            let deleted = try await c.delete("/api/v1/namespaces/default/configmaps/a")
            #expect(deleted.status == 200)
            let missing = try await c.get("/api/v1/namespaces/default/configmaps/a")
            #expect(missing.status == 404)
            #expect(missing.json["message"] == "configmaps \"a\" not found")
            #expect(missing.json["details"]["kind"] == "configmaps" && missing.json["details"]["name"] == "a")
            try await c.close()
        }
    }

    @Test func generateNameAndMissingNamespace() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]]
            let a = try await c.post("/api/v1/namespaces/default/configmaps", body).json
            let b = try await c.post("/api/v1/namespaces/default/configmaps", body).json
            #expect(a.name?.hasPrefix("gen-") == true && a.name?.count == 9 && a.name != b.name)
            let noNS = try await c.post("/api/v1/namespaces/nope/configmaps", Fixture.configMap("x", namespace: "nope"))
            #expect(noNS.status == 404 && noNS.json["message"] == "namespaces \"nope\" not found")
            try await c.close()
        }
    }

    @Test func badInputGetsKubeAPIServerAnswers() async throws {
        var config = APIServerConfiguration()
        config.maxRequestBodyBytes = 1024
        try await withAPIServer(config) { server in
            let c = try TestHTTPClient(server)
            let malformed = try await c.request(.POST, "/api/v1/namespaces/default/configmaps", body: Array("{not json".utf8))
            #expect(malformed.status == 400 && malformed.json["reason"] == "BadRequest")
            let badYAML = try await c.request(.POST, "/api/v1/namespaces/default/configmaps", body: Array("a: [1, 2".utf8), contentType: "application/yaml")
            #expect(badYAML.status == 400)
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  n: \"1\"\n"
            let fromYAML = try await c.request(.POST, "/api/v1/namespaces/default/configmaps", body: Array(yaml.utf8), contentType: "application/yaml")
            #expect(fromYAML.status == 201 && fromYAML.json["data"]["n"] == "1")
            let unknown = try await c.get("/api/v1/namespaces/default/gizmos")
            #expect(unknown.status == 404 && unknown.json["message"] == "the server could not find the requested resource")
            let wrongKind = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.pod("p"))
            #expect(wrongKind.status == 400)
            var wrongVersion = Fixture.configMap("wv")
            wrongVersion["apiVersion"] = "v2"
            let wv = try await c.post("/api/v1/namespaces/default/configmaps", wrongVersion)
            #expect(wv.status == 400 && wv.json["message"] == "the API version in the data (v2) does not match the expected API version (v1)")
            let nameMismatch = try await c.put("/api/v1/namespaces/default/configmaps/other", fromYAML.json)
            #expect(nameMismatch.status == 400)
            let invalidName = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("Bad_Name"))
            #expect(invalidName.status == 422 && invalidName.json["reason"] == "Invalid")
            #expect(invalidName.json["details"]["causes"].arrayValue?.first?["field"] == "metadata.name")
            let badPod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": .emptyObject]
            let pod = try await c.post("/api/v1/namespaces/default/pods", badPod)
            #expect(pod.status == 422 && pod.json["message"] == "Pod \"p\" is invalid: spec.containers: Required value")
            let big = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("big", data: ["k": String(repeating: "x", count: 4000)]))
            #expect(big.status == 413 && big.json["reason"] == "RequestEntityTooLarge")
            let badPatch = try await c.patch("/api/v1/namespaces/default/configmaps/fromyaml", ["data": ["a": "b"]], type: "application/xml")
            #expect(badPatch.status == 415 && badPatch.json["reason"] == "UnsupportedMediaType")
            let method = try await c.request(.PUT, "/api/v1/namespaces/default/configmaps", json: Fixture.configMap("m"))
            #expect(method.status == 405 && method.json["reason"] == "MethodNotAllowed")
            try await c.close()
        }
    }

    @Test func authentication() async throws {
        try await withAPIServer { server in
            let anonymous = try TestHTTPClient(server, useToken: false)
            #expect(try await anonymous.get("/healthz").status == 200)
            let denied = try await anonymous.get("/api/v1/namespaces")
            #expect(denied.status == 401 && denied.json["reason"] == "Unauthorized")
            let wrong = try TestHTTPClient(server, token: "wrong")
            #expect(try await wrong.get("/api/v1/namespaces").status == 401)
            let ca = try #require(server.certificateAuthority)
            let cert = try ca.issueClientCertificate(commonName: "tester", organizations: ["system:masters"])
            let byCert = try TestHTTPClient(server, useToken: false, clientCertificate: cert)
            #expect(try await byCert.get("/api/v1/namespaces").status == 200)
            try await anonymous.close(); try await wrong.close(); try await byCert.close()
        }
    }

    @Test func patchTypes() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post("/api/v1/namespaces/default/pods", Fixture.pod("p"))
            let merge = try await c.patch("/api/v1/namespaces/default/pods/p", ["metadata": ["labels": ["a": "1"]]])
            #expect(merge.status == 200 && merge.json.labels == ["a": "1"])
            let json = try await c.patch("/api/v1/namespaces/default/pods/p",
                                         [["op": "add", "path": "/metadata/labels/b", "value": "2"]], type: "application/json-patch+json")
            #expect(json.status == 200 && json.json.labels == ["a": "1", "b": "2"])
            let smp = try await c.patch("/api/v1/namespaces/default/pods/p",
                                        ["spec": ["containers": [["name": "main", "image": "alpine"]]]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 200 && smp.json[path: ["spec", "containers"]].arrayValue?.first?["image"] == "alpine")
            let missing = try await c.patch("/api/v1/namespaces/default/pods/none", ["metadata": ["labels": ["a": "1"]]])
            #expect(missing.status == 404)
            try await c.close()
        }
    }
}
