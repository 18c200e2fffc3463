/// Config rendering: secretRefs placed at their JSON pointers, and the specific errors
/// (naming the ref, never the value) for bad pointers and missing Secrets or keys.
import FerryAPI
import KubeCore
import Testing

@Suite struct RenderingConfigTests {
    static let secrets: [String: [String: String]] = ["db": ["password": "s3cret", "key": "PRIVATE"], "empty": [:]]

    static func lookup(_ secret: String, _ key: String) -> SecretLookupResult {
        guard let s = secrets[secret] else { return .secretNotFound }
        return s[key].map(SecretLookupResult.value) ?? .keyNotFound
    }

    static func spec(_ config: JSONValue?, _ refs: [(String, String, String)]) -> ConnectorSpec {
        ConnectorSpec(image: "x", config: config, secretRefs: refs.map { SecretRef(path: $0.0, secretKeyRef: SecretKeySelector(name: $0.1, key: $0.2)) })
    }

    struct Placement: Sendable, CustomTestStringConvertible {
        var config: JSONValue?
        var refs: [(String, String, String)]
        var expected: JSONValue
        var testDescription: String { refs.map(\.0).joined(separator: ",") + " into " + (config?.serialized() ?? "nil") }
    }

    static let placements: [Placement] = [
        Placement(config: ["host": "h"], refs: [], expected: ["host": "h"]),
        Placement(config: nil, refs: [], expected: [:]),
        Placement(config: nil, refs: [("/password", "db", "password")], expected: ["password": "s3cret"]),
        Placement(config: ["host": "h", "port": 5432], refs: [("/password", "db", "password")], expected: ["host": "h", "port": 5432, "password": "s3cret"]),
        Placement(config: ["password": "old"], refs: [("/password", "db", "password")], expected: ["password": "s3cret"]),
        Placement(config: ["host": "h"], refs: [("/tunnel/ssh/key", "db", "key")], expected: ["host": "h", "tunnel": ["ssh": ["key": "PRIVATE"]]]),
        Placement(config: ["tunnel": ["mode": "ssh"]], refs: [("/tunnel/key", "db", "key")], expected: ["tunnel": ["mode": "ssh", "key": "PRIVATE"]]),
        Placement(config: ["tunnel": nil], refs: [("/tunnel/key", "db", "key")], expected: ["tunnel": ["key": "PRIVATE"]]),
        Placement(config: [:], refs: [("/a~1b", "db", "password"), ("/c~0d", "db", "key")], expected: ["a/b": "s3cret", "c~d": "PRIVATE"]),
        Placement(config: ["hosts": [["name": "a"], ["name": "b"]]], refs: [("/hosts/1/password", "db", "password")],
                  expected: ["hosts": [["name": "a"], ["name": "b", "password": "s3cret"]]]),
        Placement(config: [:], refs: [("/one", "db", "password"), ("/two", "db", "password")], expected: ["one": "s3cret", "two": "s3cret"]),
    ]

    @Test(arguments: placements)
    func placesSecrets(_ c: Placement) throws {
        let rendered = try ConnectorConfigRendering.render(Self.spec(c.config, c.refs), secrets: Self.lookup)
        #expect(rendered == c.expected)
    }

    struct Failure: Sendable, CustomTestStringConvertible {
        var config: JSONValue?
        var refs: [(String, String, String)]
        var reason: ConfigRenderingError.Reason
        var message: String
        var testDescription: String { message }
    }

    static let failures: [Failure] = [
        Failure(config: [:], refs: [("/password", "missing", "password")], reason: .secretNotFound,
                message: "spec.secretRefs[0] (path /password, Secret \"missing\" key \"password\"): Secret \"missing\" not found"),
        Failure(config: [:], refs: [("/password", "db", "pass")], reason: .secretKeyNotFound,
                message: "spec.secretRefs[0] (path /password, Secret \"db\" key \"pass\"): Secret \"db\" has no key \"pass\""),
        Failure(config: [:], refs: [("/ok", "db", "key"), ("/x", "empty", "k")], reason: .secretKeyNotFound,
                message: "spec.secretRefs[1] (path /x, Secret \"empty\" key \"k\"): Secret \"empty\" has no key \"k\""),
        Failure(config: [:], refs: [("password", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path password, Secret \"db\" key \"password\"): invalid path: must be a JSON pointer starting with '/', e.g. /password"),
        Failure(config: [:], refs: [("", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path , Secret \"db\" key \"password\"): invalid path: must be a JSON pointer starting with '/', e.g. /password"),
        Failure(config: [:], refs: [("/a//b", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path /a//b, Secret \"db\" key \"password\"): invalid path: must not contain an empty segment"),
        Failure(config: [:], refs: [("/a~2", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path /a~2, Secret \"db\" key \"password\"): invalid path: '~' must be followed by 0 or 1 (~0 is '~', ~1 is '/')"),
        Failure(config: ["host": "h"], refs: [("/host/password", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path /host/password, Secret \"db\" key \"password\"): /host is a string in spec.config, not an object"),
        Failure(config: ["hosts": ["a"]], refs: [("/hosts/3", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path /hosts/3, Secret \"db\" key \"password\"): /hosts is an array of 1 and \"3\" is not an index in it"),
        Failure(config: ["hosts": ["a"]], refs: [("/hosts/name", "db", "password")], reason: .invalidConfig,
                message: "spec.secretRefs[0] (path /hosts/name, Secret \"db\" key \"password\"): /hosts is an array of 1 and \"name\" is not an index in it"),
        Failure(config: "text", refs: [], reason: .invalidConfig, message: "spec.config must be an object, not string"),
    ]

    @Test(arguments: failures)
    func failsSpecifically(_ c: Failure) {
        do {
            let rendered = try ConnectorConfigRendering.render(Self.spec(c.config, c.refs), secrets: Self.lookup)
            Issue.record("expected an error, rendered \(rendered.serialized().count) bytes")
        } catch {
            #expect(error.reason == c.reason)
            #expect(error.message == c.message)
            for values in Self.secrets.values { for v in values.values { #expect(!error.message.contains(v)) } }
        }
    }

    @Test func optionalLookupCannotTellSecretFromKey() {
        #expect(throws: ConfigRenderingError(reason: .secretNotFound, message: "spec.secretRefs[0] (path /p, Secret \"db\" key \"k\"): no value for Secret \"db\" key \"k\"")) {
            try ConnectorConfigRendering.render(Self.spec([:], [("/p", "db", "k")]), secretValue: { _, _ in nil })
        }
        #expect((try? ConnectorConfigRendering.render(Self.spec([:], [("/p", "db", "k")]), secretValue: { _, _ in "v" })) == ["p": "v"])
    }
}
