/// `x-kubernetes-validations` through StructuralSchema: messages, paths, transition rules.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct ValidationRuleTests {
    static let schema = json(#"""
    {"type":"object","properties":{"spec":{"type":"object",
      "x-kubernetes-validations":[
        {"rule":"self.minReplicas <= self.maxReplicas","message":"minReplicas must not exceed maxReplicas"},
        {"rule":"!has(self.mode) || self.mode != 'off' || self.maxReplicas == 0"},
        {"rule":"self.maxReplicas <= 100","messageExpression":"'maxReplicas is ' + string(self.maxReplicas)","fieldPath":".maxReplicas"},
        {"rule":"has(self.owner)","message":"owner is required","reason":"FieldValueRequired","fieldPath":".owner"}
      ],
      "properties":{
        "minReplicas":{"type":"integer"},"maxReplicas":{"type":"integer"},"mode":{"type":"string"},"owner":{"type":"string"},
        "immutable":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"Value is immutable"}]}
      }}}}
    """#)

    static func object(_ spec: String) -> JSONValue { json(#"{"apiVersion":"a/v1","kind":"K","metadata":{"name":"x"},"spec":"# + spec + "}") }

    @Test(arguments: [
        (#"{"minReplicas":1,"maxReplicas":2,"owner":"me"}"#, [String]()),
        (#"{"minReplicas":3,"maxReplicas":2,"owner":"me"}"#, [#"spec: Invalid value: "object": minReplicas must not exceed maxReplicas"#]),
        (#"{"minReplicas":0,"maxReplicas":2,"mode":"off","owner":"me"}"#,
         [#"spec: Invalid value: "object": failed rule: !has(self.mode) || self.mode != 'off' || self.maxReplicas == 0"#]),
        (#"{"minReplicas":0,"maxReplicas":200,"owner":"me"}"#, [#"spec.maxReplicas: Invalid value: "object": maxReplicas is 200"#]),
        (#"{"minReplicas":0,"maxReplicas":1}"#, ["spec.owner: Required value: owner is required"]),
    ])
    func rules(_ spec: String, _ expected: [String]) throws {
        let errors = try StructuralSchema(openAPIV3Schema: Self.schema).validate(Self.object(spec), old: nil)
        #expect(errors.map(\.description).sorted() == expected.sorted())
    }

    @Test func transitionRuleRunsOnlyWithOldValue() throws {
        let schema = try StructuralSchema(openAPIV3Schema: Self.schema)
        let new = Self.object(#"{"minReplicas":0,"maxReplicas":1,"owner":"me","immutable":"b"}"#)
        #expect(schema.validate(new, old: nil).isEmpty)
        let old = Self.object(#"{"minReplicas":0,"maxReplicas":1,"owner":"me","immutable":"a"}"#)
        #expect(schema.validate(new, old: old).map(\.description) == [#"spec.immutable: Invalid value: "string": Value is immutable"#])
        #expect(schema.validate(new, old: new).isEmpty)
        // A field absent before is not a transition.
        let oldWithout = Self.object(#"{"minReplicas":0,"maxReplicas":1,"owner":"me"}"#)
        #expect(schema.validate(new, old: oldWithout).isEmpty)
    }

    @Test func compileErrorsRejectTheSchema() {
        let bad = json(#"{"type":"object","x-kubernetes-validations":[{"rule":"self.a ==","message":"m"}]}"#)
        do {
            _ = try StructuralSchema(openAPIV3Schema: bad)
            Issue.record("accepted a rule that does not compile")
        } catch {
            let d = error.errors.map(\.description)
            #expect(d.count == 1)
            #expect(d.first?.hasPrefix(#"spec.validation.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: "self.a ==": compilation failed: "#) == true, "\(d)")
        }
    }

    @Test func ruleErrorsAtRuntimeAreReported() throws {
        let s = try StructuralSchema(openAPIV3Schema: json(#"{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"integer"}},"x-kubernetes-validations":[{"rule":"self.a > 0"}]}}}"#))
        let errors = s.validate(Self.object("{}"), old: nil)
        #expect(errors.map(\.description) == [#"spec: Invalid value: "object": no such key: a evaluating rule: self.a > 0"#])
    }
}
