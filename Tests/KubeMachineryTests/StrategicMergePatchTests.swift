/// Strategic merge patch tests: list merge keys, directives, and the unknown-kind fallback.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct StrategicMergePatchTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var kind: String
        var original: String
        var patch: String
        var result: String
    }

    static let cases: [Case] = [
        Case(description: "maps merge and null deletes", kind: "ConfigMap",
             original: #"{"data":{"a":"1","b":"2"},"metadata":{"labels":{"x":"y"}}}"#,
             patch: #"{"data":{"b":null,"c":"3"},"metadata":{"labels":{"z":"w"}}}"#,
             result: #"{"data":{"a":"1","c":"3"},"metadata":{"labels":{"x":"y","z":"w"}}}"#),
        Case(description: "containers merge by name", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"b","image":"b:2"},{"name":"c","image":"c:1"}]}}"#,
             result: #"{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"},{"name":"c","image":"c:1"}]}}"#),
        Case(description: "env merges by name inside a container", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"3"}]}]}}"#,
             result: #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"3"}]}]}}"#),
        Case(description: "ports merge by containerPort", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":443,"name":"https"}]}]}}"#,
             result: #"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":443,"name":"https"}]}]}}"#),
        Case(description: "$patch delete removes a list element", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}"#,
             result: #"{"spec":{"containers":[{"name":"b"}]}}"#),
        Case(description: "$patch replace replaces a list", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}}"#,
             result: #"{"spec":{"containers":[{"name":"c"}]}}"#),
        Case(description: "$patch replace replaces a map", kind: "ConfigMap",
             original: #"{"data":{"a":"1","b":"2"}}"#,
             patch: #"{"data":{"$patch":"replace","c":"3"}}"#,
             result: #"{"data":{"c":"3"}}"#),
        Case(description: "$patch delete empties a map", kind: "ConfigMap",
             original: #"{"data":{"a":"1"},"kind":"ConfigMap"}"#,
             patch: #"{"data":{"$patch":"delete"}}"#,
             result: #"{"data":{},"kind":"ConfigMap"}"#),
        Case(description: "lists without a merge key replace", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a","args":["x","y"]}],"tolerations":[{"key":"k"}]}}"#,
             patch: #"{"spec":{"containers":[{"name":"a","args":["z"]}],"tolerations":[{"key":"m"}]}}"#,
             result: #"{"spec":{"containers":[{"name":"a","args":["z"]}],"tolerations":[{"key":"m"}]}}"#),
        Case(description: "finalizers merge as a set", kind: "Pod",
             original: #"{"metadata":{"finalizers":["a","b"]}}"#,
             patch: #"{"metadata":{"finalizers":["b","c"]}}"#,
             result: #"{"metadata":{"finalizers":["a","b","c"]}}"#),
        Case(description: "$deleteFromPrimitiveList", kind: "ConfigMap",
             original: #"{"metadata":{"finalizers":["a","b","c"]}}"#,
             patch: #"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"]}}"#,
             result: #"{"metadata":{"finalizers":["a","c"]}}"#),
        Case(description: "ownerReferences merge by uid", kind: "Secret",
             original: #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x"}]}}"#,
             patch: #"{"metadata":{"ownerReferences":[{"uid":"2","name":"y"}]}}"#,
             result: #"{"metadata":{"ownerReferences":[{"uid":"1","name":"x"},{"uid":"2","name":"y"}]}}"#),
        Case(description: "$setElementOrder orders the merged list", kind: "Pod",
             original: #"{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#,
             patch: #"{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"i"}]}}"#,
             result: #"{"spec":{"containers":[{"name":"b"},{"name":"a","image":"i"}]}}"#),
        Case(description: "$retainKeys drops unlisted keys of a volume", kind: "Pod",
             original: #"{"spec":{"volumes":[{"name":"v","emptyDir":{},"hostPath":{"path":"/x"}}]}}"#,
             patch: #"{"spec":{"volumes":[{"name":"v","$retainKeys":["name","configMap"],"configMap":{"name":"c"}}]}}"#,
             result: #"{"spec":{"volumes":[{"name":"v","configMap":{"name":"c"}}]}}"#),
        Case(description: "directives stripped when the original lacks the list", kind: "Pod",
             original: #"{"spec":{}}"#,
             patch: #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]}}"#,
             result: #"{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]}}"#),
        Case(description: "status conditions merge by type", kind: "Pod",
             original: #"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Scheduled","status":"True"}]}}"#,
             patch: #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
             result: #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Scheduled","status":"True"}]}}"#),
        Case(description: "unknown kinds replace lists", kind: "Widget",
             original: #"{"spec":{"items":[{"name":"a"}]}}"#,
             patch: #"{"spec":{"items":[{"name":"b"}]}}"#,
             result: #"{"spec":{"items":[{"name":"b"}]}}"#),
        Case(description: "type change replaces", kind: "ConfigMap",
             original: #"{"data":"x"}"#, patch: #"{"data":{"a":"1"}}"#, result: #"{"data":{"a":"1"}}"#),
    ]

    @Test(arguments: cases)
    func applies(_ c: Case) throws {
        let result = try StrategicMergePatch.apply(json(c.patch), to: json(c.original), schema: .forKind(c.kind))
        #expect(result == json(c.result))
    }

    @Test func missingMergeKeyIsAnError() {
        #expect(throws: PatchError(#"map: {"image":"x"} does not contain declared merge key: name"#)) {
            try StrategicMergePatch.apply(json(#"{"spec":{"containers":[{"image":"x"}]}}"#),
                                          to: json(#"{"spec":{"containers":[{"name":"a"}]}}"#), schema: .forKind("Pod"))
        }
    }

    @Test func nonObjectPatchIsAnError() {
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(json("[]"), to: json("{}"), schema: .forKind("Pod"))
        }
    }

    @Test func retainKeysRejectsPatchKeysOutsideTheList() {
        #expect(throws: PatchError.self) {
            try StrategicMergePatch.apply(json(#"{"spec":{"volumes":[{"name":"v","$retainKeys":["name"],"emptyDir":{}}]}}"#),
                                          to: json("{}"), schema: .forKind("Pod"))
        }
    }
}
