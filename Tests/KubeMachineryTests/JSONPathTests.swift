/// JSONPath subset tests (printer columns and kubectl-style paths).
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct JSONPathTests {
    static let document = json(#"""
    {"metadata":{"name":"a","labels":{"app.kubernetes.io/name":"web"}},
     "spec":{"replicas":3,"ports":[{"name":"http","port":80},{"name":"https","port":443}]},
     "status":{"conditions":[{"type":"Scheduled","status":"True"},{"type":"Ready","status":"False"}]},
     "items":[{"metadata":{"name":"x"}},{"metadata":{"name":"y"}}]}
    """#)

    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var result: [JSONValue]
        var description: String { path }
    }

    static let cases: [Case] = [
        Case(path: ".spec.replicas", result: [3]),
        Case(path: "{.spec.replicas}", result: [3]),
        Case(path: "$.spec.replicas", result: [3]),
        Case(path: "spec.replicas", result: [3]),
        Case(path: ".spec.missing", result: []),
        Case(path: ".spec.replicas.deeper", result: []),
        Case(path: ".spec.ports[0].name", result: ["http"]),
        Case(path: ".spec.ports[-1].port", result: [443]),
        Case(path: ".spec.ports[5].port", result: []),
        Case(path: ".spec.ports[*].port", result: [80, 443]),
        Case(path: ".spec.ports[0:1].name", result: ["http"]),
        Case(path: ".items[*].metadata.name", result: ["x", "y"]),
        Case(path: #".status.conditions[?(@.type=="Ready")].status"#, result: ["False"]),
        Case(path: #".status.conditions[?(@.type == 'Scheduled')].status"#, result: ["True"]),
        Case(path: #".status.conditions[?(@.type!="Ready")].type"#, result: ["Scheduled"]),
        Case(path: ".spec.ports[?(@.port>100)].name", result: ["https"]),
        Case(path: ".spec.ports[?(@.name)].port", result: [80, 443]),
        Case(path: #".metadata.labels['app.kubernetes.io/name']"#, result: ["web"]),
        Case(path: #".metadata.labels.app\.kubernetes\.io/name"#, result: ["web"]),
        Case(path: "..name", result: ["a", "x", "y", "http", "https"]),
        Case(path: ".metadata.*", result: [json(#"{"app.kubernetes.io/name":"web"}"#), "a"]),
    ]

    @Test(arguments: cases)
    func evaluates(_ c: Case) throws {
        let results = try JSONPathExpression(c.path).evaluate(Self.document)
        if c.path == "..name" {
            // Recursive descent order over object members is by sorted key; compare as a multiset.
            #expect(results.map { $0.serialized() }.sorted() == c.result.map { $0.serialized() }.sorted())
        } else {
            #expect(results == c.result)
        }
    }

    @Test(arguments: [".spec[", ".spec[?(@.a==)]", "..", ".spec[abc]", #".a[?(@.x=="y"]"#])
    func rejects(_ path: String) {
        #expect(throws: JSONPathError.self) { try JSONPathExpression(path) }
    }
}
