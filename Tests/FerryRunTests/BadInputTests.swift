/// `ferry run` refuses bad input before starting any connector: exit 2 and one specific
/// line on stderr.
import Foundation
import KubeTestSupport
import Testing

@Suite struct BadInputTests {
    static let source = """
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: sample}
        spec: {image: ferry:latest, command: [ferry, connector, source-sample], config: {count: 5}}
        """
    static let destination = """
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-jsonl]
          secretRefs: [{path: /destination_path, secretKeyRef: {name: out, key: dir}}]
        """
    static func connection(_ name: String = "c", source: String = "sample", destination: String = "files") -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: \(name)}
        spec: {sourceRef: {name: \(source)}, destinationRef: {name: \(destination)}}
        """
    }
    static let secret = """
        apiVersion: v1
        kind: Secret
        metadata: {name: out}
        stringData: {dir: out}
        """

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var documents: [String]
        var arguments: [String] = []
        var error: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing Secret", documents: [source, destination, connection()],
             error: "error: Destination default/files: spec.secretRefs[0] (path /destination_path, Secret \"out\" key \"dir\"): Secret \"out\" not found"),
        Case(name: "missing Secret key", documents: [source, destination, connection(), secret.replacingOccurrences(of: "dir: out", with: "other: x")],
             error: "error: Destination default/files: spec.secretRefs[0] (path /destination_path, Secret \"out\" key \"dir\"): Secret \"out\" has no key \"dir\""),
        Case(name: "unknown connection", documents: [source, destination, connection(), secret], arguments: ["--connection", "nope"],
             error: "error: Connection \"nope\" is not in the manifests (defined: default/c)"),
        Case(name: "two connections, none chosen", documents: [source, destination, connection("a"), connection("b"), secret],
             error: "error: the manifests define 2 Connections (default/a, default/b); choose one with --connection"),
        Case(name: "no connection", documents: [source, destination, secret], error: "error: the manifests define no Connection"),
        Case(name: "unknown source ref", documents: [source, destination, connection(source: "ghost"), secret],
             error: "error: Connection default/c: spec.sourceRef: Source default/ghost is not in the manifests"),
        Case(name: "unknown destination ref", documents: [source, destination, connection(destination: "ghost"), secret],
             error: "error: Connection default/c: spec.destinationRef: Destination default/ghost is not in the manifests"),
        Case(name: "malformed YAML", documents: [source, "kind: [Connection\nmetadata: {name: x}"],
             error: "error: m.yaml: document 2: (document): invalid YAML"),
        Case(name: "schema error", documents: [source, destination, connection().replacingOccurrences(of: "sourceRef: {name: sample}", with: "sourceRef: {name: sample}, suspend: maybe"), secret],
             error: "error: m.yaml: Connection/c: spec.suspend:"),
        Case(name: "no command for image", documents: [source.replacingOccurrences(of: ", command: [ferry, connector, source-sample]", with: ""), destination, connection(), secret],
             error: "error: Source default/sample: spec.command is empty and no --image-command maps its image ferry:latest to a local command"),
        Case(name: "bad image-command", documents: [source, destination, connection(), secret], arguments: ["--image-command", "nocommand"],
             error: "error: --image-command nocommand: expected IMAGE=COMMAND"),
        Case(name: "duplicate object", documents: [source, source, destination, connection(), secret],
             error: "error: m.yaml: Source default/sample is defined more than once"),
        Case(name: "stream not discovered", documents: [source, destination, connection().replacingOccurrences(of: "destinationRef: {name: files}", with: "destinationRef: {name: files}, streams: [{name: ghosts}]"), secret],
             error: "error: Connection default/c: spec.streams: stream ghosts: the source did not discover it (discovered: products, purchases, users)"),
    ]

    @Test(arguments: cases)
    func exitsTwoWithSpecificMessage(_ c: Case) async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try dir.write("m.yaml", c.documents.joined(separator: "\n---\n"))
        let run = try await runFerry(["run", "-f", "m.yaml"] + c.arguments, in: dir)
        #expect(run.code == 2, "\(run)")
        #expect(run.stderr.hasPrefix(c.error), "\(run)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run)")
        #expect(run.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out"))
    }

    @Test func missingFile() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let run = try await runFerry(["run", "-f", "absent.yaml"], in: dir)
        #expect(run.code == 2)
        #expect(run.stderr == "error: absent.yaml: no such file or directory\n")
    }
}
