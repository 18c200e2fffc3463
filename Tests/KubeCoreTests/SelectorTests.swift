import KubeCore
import Testing

@Suite("Label selectors")
struct LabelSelectorTests {
    static let labels = ["app": "web", "tier": "frontend", "n": "5"]

    @Test(arguments: [
        ("", true),
        ("app=web", true),
        ("app==web", true),
        ("app!=web", false),
        ("app=db", false),
        ("missing!=x", true),
        ("app in (web, db)", true),
        ("app notin (web)", false),
        ("missing notin (web)", true),
        ("missing in (web)", false),
        ("app", true),
        ("!app", false),
        ("!missing", true),
        ("app=web,tier=frontend", true),
        ("app=web,tier=backend", false),
        ("n>4", true),
        ("n<5", false),
        (" app = web , tier in (frontend) ", true),
        ("example.com/key", false),
    ])
    func matches(selector: String, expected: Bool) throws {
        #expect(try LabelSelector.parse(selector).matches(Self.labels) == expected)
    }

    @Test(arguments: ["app=", "app in (a,b", "=web", "app==web==x", "app in a", "n>x", "app,", "bad key!=x", "a/b/c=d", "-bad=x", "app=-bad"])
    func rejects(selector: String) {
        if selector == "app=" {
            // An empty value is valid: `app=` selects labels with an empty value.
            #expect((try? LabelSelector.parse(selector)) != nil)
            return
        }
        #expect(throws: SelectorParseError.self) { try LabelSelector.parse(selector) }
    }

    @Test func fromLabelSelectorObject() throws {
        let sel = try LabelSelector(labelSelectorObject: [
            "matchLabels": ["app": "web"],
            "matchExpressions": [["key": "tier", "operator": "In", "values": ["frontend", "x"]], ["key": "gone", "operator": "DoesNotExist"]],
        ])
        #expect(sel.matches(Self.labels))
        #expect(!sel.matches(["app": "web"]))
        #expect(throws: SelectorParseError.self) {
            try LabelSelector(labelSelectorObject: ["matchExpressions": [["key": "a", "operator": "Near"]]])
        }
    }

    @Test func rendersCanonically() throws {
        #expect(try LabelSelector.parse("b in (y,x),a=1,!c").description == "b in (x,y),a=1,!c")
    }
}

@Suite("Field selectors")
struct FieldSelectorTests {
    @Test(arguments: [
        ("metadata.name=x", true),
        ("metadata.name==x", true),
        ("metadata.name!=x", false),
        ("status.phase=Running,metadata.name=x", true),
        ("status.phase!=Failed", true),
        ("spec.nodeName=", true),
        ("metadata.name=a\\,b", false),
    ])
    func matches(selector: String, expected: Bool) throws {
        let fields = ["metadata.name": "x", "status.phase": "Running"]
        #expect(try FieldSelector.parse(selector).matches(fields) == expected)
    }

    @Test func escapesRoundTrip() throws {
        let sel = try FieldSelector.parse("metadata.name=a\\,b\\=c")
        #expect(sel.requirements == [.init(field: "metadata.name", value: "a,b=c")])
        #expect(try FieldSelector.parse(sel.description) == sel)
        #expect(sel.requiredValue(for: "metadata.name") == "a,b=c")
    }

    @Test(arguments: ["metadata.name", "a=b,c", "x=y\\"])
    func rejects(selector: String) {
        #expect(throws: SelectorParseError.self) { try FieldSelector.parse(selector) }
    }
}

@Suite("Names")
struct NameValidationTests {
    @Test(arguments: [("my-name", true), ("a.b.c", true), ("UPPER", false), ("-x", false), ("x-", false), ("", false), (String(repeating: "a", count: 254), false)])
    func subdomain(name: String, valid: Bool) {
        #expect((dns1123SubdomainProblem(name) == nil) == valid)
    }

    @Test(arguments: [("ns-1", true), ("a.b", false), (String(repeating: "a", count: 64), false)])
    func label(name: String, valid: Bool) {
        #expect((dns1123LabelProblem(name) == nil) == valid)
    }
}
