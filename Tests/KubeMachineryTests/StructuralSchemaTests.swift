/// Structural schema tests: structure checks, validation messages, pruning and defaulting.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct StructuralSchemaTests {
    static let schemaJSON = #"""
    {"type":"object","properties":{
      "metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10}}},
      "spec":{"type":"object","required":["name"],"properties":{
        "name":{"type":"string","minLength":2,"pattern":"^[a-z]+$"},
        "replicas":{"type":"integer","minimum":0,"maximum":10,"default":1},
        "ratio":{"type":"number","exclusiveMinimum":true,"minimum":0,"multipleOf":0.5},
        "mode":{"type":"string","enum":["a","b"],"default":"a"},
        "level":{"type":"integer","enum":[1,2]},
        "created":{"type":"string","format":"date-time"},
        "id":{"type":"string","format":"uuid"},
        "port":{"x-kubernetes-int-or-string":true},
        "note":{"type":"string","nullable":true},
        "tags":{"type":"array","items":{"type":"string"},"x-kubernetes-list-type":"set","maxItems":3},
        "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                 "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer","default":80}}}},
        "labels":{"type":"object","additionalProperties":{"type":"string"},"maxProperties":2},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"known":{"type":"integer"}}},
        "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
        "either":{"type":"string","anyOf":[{"pattern":"^x"},{"pattern":"^y"}]}
      }},
      "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}
    }}
    """#

    static func schema() throws -> StructuralSchema { try StructuralSchema(openAPIV3Schema: json(schemaJSON)) }

    static func object(spec: String) -> JSONValue {
        json(#"{"apiVersion":"ferry.dev/v1","kind":"Thing","metadata":{"name":"t"},"spec":"# + spec + "}")
    }

    struct Case: Sendable, CustomStringConvertible {
        var spec: String
        var errors: [String]
        var description: String { spec }
    }

    static let cases: [Case] = [
        Case(spec: #"{"name":"ok","replicas":3}"#, errors: []),
        Case(spec: #"{"name":"ok","replicas":"3"}"#,
             errors: [#"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#]),
        Case(spec: #"{"name":"ok","replicas":1.5}"#,
             errors: [#"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#]),
        Case(spec: #"{"name":"ok","replicas":2.0}"#, errors: []),
        Case(spec: #"{"name":"ok","replicas":-1}"#,
             errors: ["spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"]),
        Case(spec: #"{"name":"ok","replicas":11}"#,
             errors: ["spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"]),
        Case(spec: #"{"name":"ok","ratio":0}"#,
             errors: ["spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0"]),
        Case(spec: #"{"name":"ok","ratio":0.75}"#,
             errors: ["spec.ratio: Invalid value: 0.75: spec.ratio in body should be a multiple of 0.5"]),
        Case(spec: #"{"name":"ok","ratio":2}"#, errors: []),
        Case(spec: #"{"name":"ok","mode":"x"}"#, errors: [#"spec.mode: Unsupported value: "x": supported values: "a", "b""#]),
        Case(spec: #"{"name":"ok","level":3}"#, errors: [#"spec.level: Unsupported value: 3: supported values: "1", "2""#]),
        Case(spec: "{}", errors: ["spec.name: Required value"]),
        Case(spec: #"{"name":"a"}"#, errors: [#"spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long"#]),
        Case(spec: #"{"name":"AB"}"#, errors: [#"spec.name: Invalid value: "AB": spec.name in body should match '^[a-z]+$'"#]),
        Case(spec: #"{"name":"ok","created":"yesterday"}"#,
             errors: [#"spec.created: Invalid value: "yesterday": spec.created in body must be of type date-time: "yesterday""#]),
        Case(spec: #"{"name":"ok","created":"2024-01-02T03:04:05Z","id":"123e4567-e89b-12d3-a456-426614174000"}"#, errors: []),
        Case(spec: #"{"name":"ok","id":"nope"}"#,
             errors: [#"spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope""#]),
        Case(spec: #"{"name":"ok","port":8080}"#, errors: []),
        Case(spec: #"{"name":"ok","port":"http"}"#, errors: []),
        Case(spec: #"{"name":"ok","port":true}"#,
             errors: [#"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#]),
        Case(spec: #"{"name":"ok","note":null}"#, errors: []),
        Case(spec: #"{"name":null}"#, errors: [#"spec.name: Invalid value: "null": spec.name in body must be of type string: "null""#]),
        Case(spec: #"{"name":"ok","tags":["a","b","a"]}"#, errors: [#"spec.tags[2]: Duplicate value: "a""#]),
        Case(spec: #"{"name":"ok","tags":["a","b","c","d"]}"#, errors: ["spec.tags: Too many: 4: must have at most 3 items"]),
        Case(spec: #"{"name":"ok","ports":[{"name":"a"},{"name":"a","port":1}]}"#, errors: [#"spec.ports[1]: Duplicate value: "object""#]),
        Case(spec: #"{"name":"ok","ports":[{"port":1}]}"#, errors: ["spec.ports[0].name: Required value"]),
        Case(spec: #"{"name":"ok","labels":{"a":"1","b":2}}"#,
             errors: [#"spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer""#]),
        Case(spec: #"{"name":"ok","labels":{"a":"1","b":"2","c":"3"}}"#, errors: ["spec.labels: Too many: 3: must have at most 2 items"]),
        Case(spec: #"{"name":"ok","free":{"known":"x","other":{"any":1}}}"#,
             errors: [#"spec.free.known: Invalid value: "string": spec.free.known in body must be of type integer: "string""#]),
        Case(spec: #"{"name":"ok","template":{"spec":{}}}"#,
             errors: ["spec.template.apiVersion: Required value: must not be empty", "spec.template.kind: Required value: must not be empty"]),
        Case(spec: #"{"name":"ok","template":{"apiVersion":"v1","kind":"Pod","spec":{}}}"#, errors: []),
        Case(spec: #"{"name":"ok","either":"yes"}"#, errors: []),
        Case(spec: #"{"name":"ok","either":"no"}"#,
             errors: [#"spec.either: Invalid value: "no": "spec.either" must validate at least one schema (anyOf)"#]),
    ]

    @Test(arguments: cases)
    func validates(_ c: Case) throws {
        let errors = try Self.schema().validate(Self.object(spec: c.spec), old: nil)
        #expect(errors.map(\.description).sorted() == c.errors.sorted())
    }

    @Test func metadataNameConstraintFromSchema() throws {
        let obj = json(#"{"apiVersion":"v","kind":"K","metadata":{"name":"much-too-long-name"},"spec":{"name":"ok"}}"#)
        let errors = try Self.schema().validate(obj, old: nil)
        #expect(errors.map(\.description) == ["metadata.name: Too long: may not be more than 10 bytes"])
    }

    @Test func typeErrorCarriesCauseType() throws {
        let errors = try Self.schema().validate(Self.object(spec: #"{"name":"ok","replicas":"x"}"#), old: nil)
        #expect(errors.first?.cause.reason == CauseType.fieldValueTypeInvalid)
    }

    @Test func pruneDropsUnknownFields() throws {
        let obj = json(#"""
        {"apiVersion":"v","kind":"K","metadata":{"name":"t","bogus":1,"labels":{"a":"b"}},
         "spec":{"name":"ok","unknown":1,"free":{"known":1,"other":2},"ports":[{"name":"a","extra":true}],
                 "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","junk":1},"spec":{"x":1}}},
         "status":{"ready":true,"junk":1},"topLevelJunk":{}}
        """#)
        let pruned = try Self.schema().prune(obj)
        #expect(pruned == json(#"""
        {"apiVersion":"v","kind":"K","metadata":{"name":"t","labels":{"a":"b"}},
         "spec":{"name":"ok","free":{"known":1,"other":2},"ports":[{"name":"a"}],
                 "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":1}}},
         "status":{"ready":true}}
        """#))
    }

    @Test func defaultsFillMissingFieldsRecursively() throws {
        let obj = Self.object(spec: #"{"name":"ok","ports":[{"name":"a"},{"name":"b","port":9}],"mode":null}"#)
        let defaulted = try Self.schema().applyDefaults(obj)
        #expect(defaulted["spec"] == json(#"{"name":"ok","replicas":1,"mode":"a","ports":[{"name":"a","port":80},{"name":"b","port":9}]}"#))
    }

    @Test func defaultsDropNonNullableNullsWithoutDefault() throws {
        let defaulted = try Self.schema().applyDefaults(Self.object(spec: #"{"name":"ok","created":null,"note":null}"#))
        #expect(defaulted["spec"]["created"] == .null && !defaulted["spec"].has("created"))
        #expect(defaulted["spec"].has("note"))
    }

    struct SchemaCase: Sendable, CustomStringConvertible {
        var schema: String
        var errors: [String]
        var description: String { schema }
    }

    static let schemaCases: [SchemaCase] = [
        SchemaCase(schema: #"{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields"]),
        SchemaCase(schema: #"{"type":"string"}"#,
                   errors: [#"spec.validation.openAPIV3Schema.type: Invalid value: "string": must be object at the root"#]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"array"}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].items: Required value: must be specified"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"array","items":{}}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].items.type: Required value: must not be empty for specified array items"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"string","anyOf":[{"type":"string"}]}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].anyOf[0].type: Forbidden: must be empty to be structural"]),
        SchemaCase(schema: #"{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"string","pattern":"("}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].pattern"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"integer","default":"x"}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].default"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"x-kubernetes-preserve-unknown-fields":true},"b":{"x-kubernetes-int-or-string":true}}}"#,
                   errors: []),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}}}"#,
                   errors: []),
        SchemaCase(schema: #"{"type":"object","additionalProperties":{"type":"string"}}"#,
                   errors: ["spec.validation.openAPIV3Schema.additionalProperties: Forbidden: must not be used at the root"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"string","oneOf":[{"nullable":true,"pattern":"x"}]}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].oneOf[0].nullable: Forbidden: must be false to be structural"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"string"}},"additionalProperties":false}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"]),
        SchemaCase(schema: #"{"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[t].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"]),
        SchemaCase(schema: #"{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","pattern":"^a"}}}}}"#,
                   errors: []),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"string","uniqueItems":true}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"]),
        SchemaCase(schema: #"{"type":"object","properties":{"a":{"type":"array","x-kubernetes-list-type":"map","items":{"type":"object"}}}}"#,
                   errors: ["spec.validation.openAPIV3Schema.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"]),
    ]

    /// Each expected error is a prefix of one reported error (some details come from the regex engine).
    @Test(arguments: schemaCases)
    func structuralChecks(_ c: SchemaCase) {
        do {
            _ = try StructuralSchema(openAPIV3Schema: json(c.schema))
            #expect(c.errors.isEmpty, "expected errors \(c.errors)")
        } catch {
            let reported = error.errors.map(\.description)
            #expect(reported.count == c.errors.count, "\(reported)")
            for expected in c.errors {
                #expect(reported.contains { $0.hasPrefix(expected) }, "\(expected) not in \(reported)")
            }
        }
    }
}
