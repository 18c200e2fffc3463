/// The table of bad manifests: each is rejected by `ferry validate` with exactly the
/// listed field-precise lines, and by the embedded API server's schema validation where
/// the rule is a schema rule (semantic rules are the controllers' to report as conditions).
import FerryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

struct BadManifest: Sendable, CustomTestStringConvertible {
    /// What kube-apiserver does with the manifest.
    enum Server: Sendable {
        /// Schema or CEL rule: the create is refused, naming the same field.
        case rejects
        /// A semantic rule only `ferry validate` and the controllers apply.
        case accepts
        /// kubectl cannot send it (malformed YAML, a kind or version the server does not serve).
        case notSent
    }
    var name: String
    var server: Server
    var yaml: String
    /// `ferry validate` lines without the leading `<file>: `.
    var expected: [String]
    init(_ name: String, server: Server, yaml: String, expected: [String]) {
        self.name = name
        self.server = server
        self.yaml = yaml
        self.expected = expected
    }
    var testDescription: String { name }
    /// The field the first problem names, e.g. `spec.schedule.cron`.
    var field: String { expected.first.map { $0.components(separatedBy: ": ")[1] } ?? "" }
}

@Suite("bad manifests", .serialized)
struct BadManifestTests {
    @Test("ferry validate reports each problem on its field", arguments: BadManifestTable.cases)
    func validateReportsTheField(_ bad: BadManifest) {
        let lines = ManifestValidator.validate(files: [(name: "bad.yaml", text: bad.yaml)]).map(\.description)
        #expect(lines == bad.expected.map { "bad.yaml: " + $0 })
    }

    @Test("the table covers at least 25 distinct mistakes")
    func tableIsLargeEnough() {
        #expect(BadManifestTable.cases.count >= 25)
        #expect(Set(BadManifestTable.cases.map(\.name)).count == BadManifestTable.cases.count)
    }

    @Test("the API server rejects what the schema forbids")
    func serverRejectsSchemaViolations() async throws {
        try #require(Kubectl.isInstalled, "kubectl must be on PATH")
        try await withAPIServer { server in
            let kubectl = try Kubectl(server: server)
            defer { kubectl.cleanUp() }
            var r = try await kubectl.run("apply", "-f", Repository.crds.path)
            #expect(r.succeeded, "\(r.stderr)")
            for type in FerryAPI.kinds {
                r = try await kubectl.run("wait", "--for=condition=Established", "crd/\(type.resourceType.plural).ferry.dev", "--timeout=20s")
                #expect(r.succeeded, "\(r.stderr)")
            }
            for (i, bad) in BadManifestTable.cases.enumerated() where bad.server != .notSent {
                // A namespace per case, so accepted objects never collide by name.
                let namespace = "bad-\(i)"
                r = try await kubectl.run("create", "namespace", namespace)
                #expect(r.succeeded, "\(r.stderr)")
                let file = try kubectl.write("bad-\(i).yaml", bad.yaml)
                r = try await kubectl.run("create", "-n", namespace, "-f", file)
                switch bad.server {
                case .rejects:
                    #expect(!r.succeeded, "\(bad.name): the server accepted it")
                    #expect(r.stderr.contains(bad.field), "\(bad.name): \(r.stderr)")
                case .accepts:
                    #expect(r.succeeded, "\(bad.name): \(r.stderr)")
                case .notSent:
                    break
                }
            }
        }
    }
}

enum BadManifestTable {
    static let cases: [BadManifest] = typesAndSchedules + connectors + streamsPoolsAndDocuments
}
