/// RFC 6902 JSON patch tests, including kube-apiserver-style error messages.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct JSONPatchTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var document: String
        var patch: String
        var result: String
    }

    static let cases: [Case] = [
        Case(description: "add member", document: #"{"a":1}"#, patch: #"[{"op":"add","path":"/b","value":2}]"#, result: #"{"a":1,"b":2}"#),
        Case(description: "add replaces existing member", document: #"{"a":1}"#, patch: #"[{"op":"add","path":"/a","value":[1]}]"#, result: #"{"a":[1]}"#),
        Case(description: "add into array", document: #"{"a":[1,3]}"#, patch: #"[{"op":"add","path":"/a/1","value":2}]"#, result: #"{"a":[1,2,3]}"#),
        Case(description: "append with dash", document: #"{"a":[1]}"#, patch: #"[{"op":"add","path":"/a/-","value":2}]"#, result: #"{"a":[1,2]}"#),
        Case(description: "add at end index", document: #"{"a":[1]}"#, patch: #"[{"op":"add","path":"/a/1","value":2}]"#, result: #"{"a":[1,2]}"#),
        Case(description: "remove member", document: #"{"a":1,"b":2}"#, patch: #"[{"op":"remove","path":"/a"}]"#, result: #"{"b":2}"#),
        Case(description: "remove array item", document: #"{"a":[1,2,3]}"#, patch: #"[{"op":"remove","path":"/a/0"}]"#, result: #"{"a":[2,3]}"#),
        Case(description: "replace", document: #"{"a":{"b":1}}"#, patch: #"[{"op":"replace","path":"/a/b","value":"x"}]"#, result: #"{"a":{"b":"x"}}"#),
        Case(description: "replace root", document: #"{"a":1}"#, patch: #"[{"op":"replace","path":"","value":{"z":0}}]"#, result: #"{"z":0}"#),
        Case(description: "move", document: #"{"a":{"b":1},"c":{}}"#, patch: #"[{"op":"move","from":"/a/b","path":"/c/d"}]"#, result: #"{"a":{},"c":{"d":1}}"#),
        Case(description: "copy", document: #"{"a":[1]}"#, patch: #"[{"op":"copy","from":"/a","path":"/b"}]"#, result: #"{"a":[1],"b":[1]}"#),
        Case(description: "test then replace", document: #"{"metadata":{"resourceVersion":"5"}}"#,
             patch: #"[{"op":"test","path":"/metadata/resourceVersion","value":"5"},{"op":"replace","path":"/metadata/resourceVersion","value":"6"}]"#,
             result: #"{"metadata":{"resourceVersion":"6"}}"#),
        Case(description: "test int equals double", document: #"{"a":1}"#, patch: #"[{"op":"test","path":"/a","value":1.0}]"#, result: #"{"a":1}"#),
        Case(description: "escaped pointer tokens", document: #"{"metadata":{"labels":{"a/b":"1","c~d":"2"}}}"#,
             patch: #"[{"op":"remove","path":"/metadata/labels/a~1b"},{"op":"replace","path":"/metadata/labels/c~0d","value":"3"}]"#,
             result: #"{"metadata":{"labels":{"c~d":"3"}}}"#),
        Case(description: "remove finalizer by index", document: #"{"metadata":{"finalizers":["a","b"]}}"#,
             patch: #"[{"op":"test","path":"/metadata/finalizers/1","value":"b"},{"op":"remove","path":"/metadata/finalizers/1"}]"#,
             result: #"{"metadata":{"finalizers":["a"]}}"#),
        Case(description: "empty patch", document: #"{"a":1}"#, patch: "[]", result: #"{"a":1}"#),
    ]

    @Test(arguments: cases)
    func applies(_ c: Case) throws {
        let result = try JSONPatch.apply(json(c.patch), to: json(c.document))
        #expect(result == json(c.result))
    }

    struct Failure: Sendable, CustomStringConvertible {
        var description: String
        var document: String
        var patch: String
        var message: String
    }

    static let failures: [Failure] = [
        Failure(description: "test fails", document: #"{"metadata":{"resourceVersion":"5"}}"#,
                patch: #"[{"op":"test","path":"/metadata/resourceVersion","value":"4"}]"#,
                message: "testing value /metadata/resourceVersion failed"),
        Failure(description: "remove missing", document: #"{"spec":{}}"#, patch: #"[{"op":"remove","path":"/spec/x"}]"#,
                message: #"remove operation does not apply: doc is missing path: "/spec/x""#),
        Failure(description: "add below missing parent", document: #"{}"#, patch: #"[{"op":"add","path":"/spec/x","value":1}]"#,
                message: #"add operation does not apply: doc is missing path: "/spec/x""#),
        Failure(description: "replace missing", document: #"{}"#, patch: #"[{"op":"replace","path":"/x","value":1}]"#,
                message: "replace operation does not apply: doc is missing key: /x"),
        Failure(description: "array index out of range", document: #"{"a":[1]}"#, patch: #"[{"op":"add","path":"/a/5","value":1}]"#,
                message: "add operation does not apply: index out of range: /a/5"),
        Failure(description: "move from missing", document: #"{}"#, patch: #"[{"op":"move","from":"/x","path":"/y"}]"#,
                message: #"move operation does not apply: doc is missing from path: "/x""#),
        Failure(description: "unknown op", document: #"{}"#, patch: #"[{"op":"frob","path":"/x"}]"#, message: "Unexpected kind: frob"),
        Failure(description: "not an array", document: #"{}"#, patch: #"{"op":"add"}"#,
                message: "invalid JSON patch: expected an array of operations, got object"),
    ]

    @Test(arguments: failures)
    func rejects(_ f: Failure) {
        #expect(throws: PatchError(f.message)) { try JSONPatch.apply(json(f.patch), to: json(f.document)) }
    }

    @Test func failedOperationLeavesNoPartialResult() {
        // The caller keeps its original document: the patch is all-or-nothing.
        let doc = json(#"{"a":1}"#)
        #expect(throws: PatchError.self) {
            try JSONPatch.apply(json(#"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}]"#), to: doc)
        }
    }
}
