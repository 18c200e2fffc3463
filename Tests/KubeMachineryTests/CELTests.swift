/// CEL subset tests: literals, operators, error absorption, macros, functions, compile errors.
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct CELTests {
    static let selfValue = json(#"""
    {"name":"web-1","replicas":3,"ratio":0.5,"tags":["a","b","c"],"labels":{"app":"web","tier":"front"},
     "ports":[{"name":"http","port":80},{"name":"https","port":443}],"empty":[],"flag":true,"nothing":null}
    """#)

    struct Case: Sendable, CustomStringConvertible {
        var rule: String
        var result: JSONValue
        var description: String { rule }
    }

    static let cases: [Case] = [
        Case(rule: "1 + 2 * 3", result: 7),
        Case(rule: "(1 + 2) * 3", result: 9),
        Case(rule: "7 / 2", result: 3),
        Case(rule: "-7 % 3", result: -1),
        Case(rule: "7.0 / 2.0", result: 3.5),
        Case(rule: "2u + 3u", result: 5),
        Case(rule: "0x10", result: 16),
        Case(rule: "'a' + \"b\"", result: "ab"),
        Case(rule: #"'tab\there' == "tab\u0009here""#, result: true),
        Case(rule: #"r'\d' == '\\d'"#, result: true),
        Case(rule: "'''multi'''", result: "multi"),
        Case(rule: "[1, 2] + [3]", result: [1, 2, 3]),
        Case(rule: "{'a': 1}['a']", result: 1),
        Case(rule: "null == null", result: true),
        Case(rule: "1 == 1.0", result: true),
        Case(rule: "1 < 1.5", result: true),
        Case(rule: "'abc' < 'abd'", result: true),
        Case(rule: "true ? 'y' : 'n'", result: "y"),
        Case(rule: "!false && !!true", result: true),
        Case(rule: "self.name", result: "web-1"),
        Case(rule: "self.replicas >= 1 && self.replicas <= 5", result: true),
        Case(rule: "self.ports[1].port", result: 443),
        Case(rule: "self.labels['app']", result: "web"),
        Case(rule: "self.labels.tier", result: "front"),
        Case(rule: "has(self.labels.app)", result: true),
        Case(rule: "has(self.missing)", result: false),
        Case(rule: "has(self.nothing)", result: true),
        Case(rule: "'app' in self.labels", result: true),
        Case(rule: "'z' in self.tags", result: false),
        Case(rule: "size(self.tags) == 3 && self.tags.size() == 3", result: true),
        Case(rule: "size(self.name)", result: 5),
        Case(rule: "size('héllo')", result: 5),
        Case(rule: "self.name.startsWith('web') && self.name.endsWith('-1') && self.name.contains('b-')", result: true),
        Case(rule: "self.name.matches('^[a-z]+-[0-9]$')", result: true),
        Case(rule: "matches(self.name, 'x')", result: false),
        Case(rule: "'AbC'.lowerAscii() + 'AbC'.upperAscii()", result: "abcABC"),
        Case(rule: "'  x  '.trim()", result: "x"),
        Case(rule: "'a,b,c'.split(',')", result: ["a", "b", "c"]),
        Case(rule: "'a,b,c'.split(',', 2)", result: ["a", "b,c"]),
        Case(rule: "['a','b'].join('-')", result: "a-b"),
        Case(rule: "'hello'.substring(1, 3)", result: "el"),
        Case(rule: "'hello'.indexOf('l')", result: 2),
        Case(rule: "'hello'.replace('l', 'L')", result: "heLLo"),
        Case(rule: "self.tags.all(t, t.size() == 1)", result: true),
        Case(rule: "self.tags.exists(t, t == 'b')", result: true),
        Case(rule: "self.tags.exists_one(t, t > 'a')", result: false),
        Case(rule: "self.ports.map(p, p.port)", result: [80, 443]),
        Case(rule: "self.ports.map(p, p.port > 100, p.name)", result: ["https"]),
        Case(rule: "self.ports.filter(p, p.port < 100).size()", result: 1),
        Case(rule: "self.labels.all(k, k.size() > 2)", result: true),
        Case(rule: "self.empty.all(x, false)", result: true),
        Case(rule: "[3, 1, 2].isSorted()", result: false),
        Case(rule: "[1, 2, 3].sum()", result: 6),
        Case(rule: "[4, 1, 9].max()", result: 9),
        Case(rule: "int('42') + int(2.9)", result: 44),
        Case(rule: "string(42) + string(true)", result: "42true"),
        Case(rule: "double(1) / 4.0", result: 0.25),
        Case(rule: "duration('1h30m') == duration('90m')", result: true),
        Case(rule: "duration('1.5s') < duration('2s')", result: true),
        Case(rule: "string(duration('90m'))", result: "1h30m0s"),
        Case(rule: "timestamp('2024-01-01T00:00:00Z') + duration('24h') == timestamp('2024-01-02T00:00:00Z')", result: true),
        Case(rule: "timestamp('2024-03-05T06:07:08Z').getFullYear()", result: 2024),
        // Error absorption: the erroring side is ignored when the other side decides.
        Case(rule: "self.missing == 1 || true", result: true),
        Case(rule: "true || self.missing == 1", result: true),
        Case(rule: "self.missing == 1 && false", result: false),
        Case(rule: "false && 1 / 0 == 1", result: false),
        Case(rule: "[0, 1].exists(x, 1 / x == 1)", result: true),
        Case(rule: "type(1) == type(2)", result: true),
    ]

    @Test(arguments: cases)
    func evaluates(_ c: Case) throws {
        let program = try CELProgram(c.rule)
        let result = try program.evaluate(self: Self.selfValue, oldSelf: nil)
        #expect(JSONPatch.jsonEqual(result, c.result), "got \(result)")
    }

    @Test(arguments: [
        ("self.missing", "no such key: missing"),
        ("self.tags[5]", "index out of bounds: 5"),
        ("1 / 0", "division by zero"),
        ("5 % 0", "modulus by zero"),
        ("9223372036854775807 + 1", "integer overflow"),
        ("1 + 'a'", "found no matching overload for '_+_' applied to '(int, string)'"),
        ("self.missing == 1 || false", "no such key: missing"),
        ("[0].all(x, 1 / x == 1)", "division by zero"),
        ("int('x')", #"cannot convert "x" to int"#),
    ])
    func evaluationErrors(_ rule: String, _ message: String) throws {
        let program = try CELProgram(rule)
        #expect(throws: CELError(message)) { try program.evaluate(self: Self.selfValue, oldSelf: nil) }
    }

    @Test(arguments: [
        ("self.x ==", "Syntax error"),
        ("foo(1)", "undeclared reference to 'foo'"),
        ("bar", "undeclared reference to 'bar'"),
        ("self.tags.all(t)", "Syntax error"),
        ("has(self)", "invalid argument to has() macro"),
        ("'unterminated", "unterminated string"),
        ("self.x.frob()", "undeclared reference to 'frob'"),
        ("1 2", "extraneous input"),
    ])
    func compileErrors(_ rule: String, _ fragment: String) {
        do {
            _ = try CELProgram(rule)
            Issue.record("compiled \(rule)")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func transitionRulesAreDetected() throws {
        #expect(try CELProgram("self == oldSelf").referencesOldSelf)
        #expect(try !CELProgram("self.x == 1").referencesOldSelf)
    }

    @Test func schemaTypesNumbersAsDoubles() throws {
        var errors: [FieldError] = []
        let node = SchemaNode(json(#"{"type":"object","properties":{"n":{"type":"number"}}}"#), path: "", errors: &errors)
        let program = try CELProgram("self.n / 2.0 == 0.5")
        #expect(try program.evaluate(self: json(#"{"n":1}"#), oldSelf: nil, schema: node) == true)
    }
}
