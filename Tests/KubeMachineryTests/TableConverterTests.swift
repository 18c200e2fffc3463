/// Table conversion tests: column definitions, typed cells, includeObject, printer-column parsing.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct TableConverterTests {
    static let object = json(#"""
    {"apiVersion":"ferry.dev/v1alpha1","kind":"Source","metadata":{"name":"s1","creationTimestamp":"2024-05-01T10:00:00Z"},
     "spec":{"replicas":2,"ratio":0.5,"enabled":true,"tags":["a","b"]},
     "status":{"conditions":[{"type":"Ready","status":"True"}]}}
    """#)

    static let columns = [
        PrinterColumn(name: "Replicas", type: "integer", format: "", description: "desired", priority: 0, jsonPath: ".spec.replicas"),
        PrinterColumn(name: "Ratio", type: "number", format: "", description: "", priority: 1, jsonPath: ".spec.ratio"),
        PrinterColumn(name: "Enabled", type: "boolean", format: "", description: "", priority: 0, jsonPath: ".spec.enabled"),
        PrinterColumn(name: "Ready", type: "string", format: "", description: "", priority: 0,
                      jsonPath: #".status.conditions[?(@.type=="Ready")].status"#),
        PrinterColumn(name: "Tags", type: "string", format: "", description: "", priority: 0, jsonPath: ".spec.tags[*]"),
        PrinterColumn(name: "Missing", type: "string", format: "", description: "", priority: 0, jsonPath: ".spec.nothing"),
        PrinterColumn(name: "Age", type: "date", format: "", description: "", priority: 0, jsonPath: ".metadata.creationTimestamp"),
        PrinterColumn(name: "WrongType", type: "integer", format: "", description: "", priority: 0, jsonPath: ".spec.enabled"),
    ]

    @Test func rendersColumnsAndTypedCells() {
        let table = TableConverter.table(columns: Self.columns, objects: [Self.object], includeObject: "Metadata",
                                         resourceVersion: "42", continueToken: "next")
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == json(#"{"resourceVersion":"42","continue":"next"}"#))
        let definitions = table["columnDefinitions"].arrayValue ?? []
        #expect(definitions.map { $0["name"] } == ["Name", "Replicas", "Ratio", "Enabled", "Ready", "Tags", "Missing", "Age", "WrongType"])
        #expect(definitions[0]["format"] == "name" && definitions[0]["type"] == "string")
        #expect(definitions[1] == json(#"{"name":"Replicas","type":"integer","format":"","description":"desired","priority":0}"#))
        #expect(definitions[2]["priority"] == 1)
        let row = table["rows"][path: []].arrayValue?.first ?? .null
        #expect(row["cells"] == json(#"["s1",2,0.5,true,"True","a,b",null,"2024-05-01T10:00:00Z",null]"#))
        #expect(row["object"] == json(#"{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"name":"s1","creationTimestamp":"2024-05-01T10:00:00Z"}}"#))
    }

    @Test(arguments: ["None", "Object", "Metadata", ""])
    func includeObject(_ mode: String) {
        let table = TableConverter.table(columns: [], objects: [Self.object], includeObject: mode, resourceVersion: nil, continueToken: nil)
        let row = table["rows"].arrayValue?.first ?? .null
        switch mode {
        case "None": #expect(!row.has("object"))
        case "Object": #expect(row["object"] == Self.object)
        default: #expect(row["object"]["kind"] == "PartialObjectMetadata")
        }
        #expect(table["metadata"] == .emptyObject)
    }

    @Test func defaultAgeColumnWithoutPrinterColumns() {
        let table = TableConverter.table(columns: [], objects: [Self.object], includeObject: "None", resourceVersion: nil, continueToken: nil)
        #expect(table["columnDefinitions"].arrayValue?.map { $0["name"] } == ["Name", "Age"])
        #expect(table["columnDefinitions"][path: []].arrayValue?[1]["type"] == "date")
        #expect(table["rows"].arrayValue?.first?["cells"] == json(#"["s1","2024-05-01T10:00:00Z"]"#))
    }

    @Test func emptyListHasNoRows() {
        let table = TableConverter.table(columns: Self.columns, objects: [], includeObject: "Metadata", resourceVersion: "1", continueToken: nil)
        #expect(table["rows"] == .array([]))
    }

    @Test func parsesCRDColumn() throws {
        let column = try PrinterColumn(crdColumn: json(#"{"name":"Ready","type":"string","jsonPath":".status.ready","priority":1,"description":"d","format":"f"}"#))
        #expect(column == PrinterColumn(name: "Ready", type: "string", format: "f", description: "d", priority: 1, jsonPath: ".status.ready"))
    }

    @Test(arguments: [
        (#"{"type":"string","jsonPath":".a"}"#, "name: Required value"),
        (#"{"name":"x","type":"float","jsonPath":".a"}"#, #"type: Unsupported value: "float": supported values: "boolean", "date", "integer", "number", "string""#),
        (#"{"name":"x","type":"string"}"#, "jsonPath: Required value"),
        (#"{"name":"x","type":"string","jsonPath":".a["}"#, #"jsonPath: Invalid value: ".a[": must be a simple json path"#),
    ])
    func rejectsBadCRDColumn(_ column: String, _ expected: String) {
        do {
            _ = try PrinterColumn(crdColumn: json(column))
            Issue.record("accepted \(column)")
        } catch {
            #expect(error.errors.contains { $0.description.hasPrefix(expected) }, "\(error.errors)")
        }
    }
}
