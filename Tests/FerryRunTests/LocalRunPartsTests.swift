/// The pure parts of `ferry run`: secret lookup order, environment variable names,
/// connector commands (quoting, `ferry` as this executable, image mappings), state paths,
/// and reading a discover's output.
import FerryAPI
@testable import FerryWorker
import Foundation
import KubeCore
import Testing

@Suite struct LocalRunPartsTests {
    @Test(arguments: [
        ("warehouse-postgres", "password", "FERRY_SECRET_WAREHOUSE_POSTGRES_PASSWORD"),
        ("db", "tls.key", "FERRY_SECRET_DB_TLS_KEY"),
        ("a1", "Key-2", "FERRY_SECRET_A1_KEY_2"),
        ("ünï", "k", "FERRY_SECRET__N__K"),
    ])
    func environmentVariableNames(secret: String, key: String, expected: String) {
        #expect(LocalSecrets.environmentVariable(secret: secret, key: key) == expected)
    }

    @Test func secretLookupOrder() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try dir.write("s/files/k", "from-file\n")
        try dir.write("s/both/k", "from-file")
        let secrets = LocalSecrets(manifests: [ManifestKey(namespace: nil, name: "both"): ["k": "from-manifest"], ManifestKey(namespace: "other", name: "m"): ["k": "ns"]],
                                   directory: dir.path + "/s",
                                   environment: ["FERRY_SECRET_BOTH_K": "from-env", "FERRY_SECRET_ENV_K": "from-env", "FERRY_SECRET_FILES_OTHER": "env-fills-key"])
        #expect(secrets.lookup(namespace: "default", secret: "both", key: "k") == .value("from-manifest"))
        #expect(secrets.lookup(namespace: "default", secret: "files", key: "k") == .value("from-file\n"))
        #expect(secrets.lookup(namespace: "default", secret: "env", key: "k") == .value("from-env"))
        #expect(secrets.lookup(namespace: "default", secret: "files", key: "other") == .value("env-fills-key"))
        #expect(secrets.lookup(namespace: "default", secret: "files", key: "missing") == .keyNotFound)
        #expect(secrets.lookup(namespace: "default", secret: "both", key: "missing") == .keyNotFound)
        #expect(secrets.lookup(namespace: "default", secret: "nothing", key: "k") == .secretNotFound)
        #expect(secrets.lookup(namespace: "default", secret: "m", key: "k") == .secretNotFound)
        #expect(secrets.lookup(namespace: "other", secret: "m", key: "k") == .value("ns"))
    }

    static let commands: [([String], String)] = [
        (["ferry", "connector", "source-sample"], "'/opt/ferry bin/ferry' connector source-sample"),
        (["source-faker"], "source-faker"),
        (["python3", "-c", "print('hi')"], "python3 -c 'print('\\''hi'\\'')'"),
        (["run", "", "a b", "x=y:z,1+2@%"], "run '' 'a b' x=y:z,1+2@%"),
        (["sh", "-c", "echo $HOME; rm *"], "sh -c 'echo $HOME; rm *'"),
        (["/usr/bin/ferry", "x"], "/usr/bin/ferry x"),
    ]

    @Test(arguments: commands)
    func commandsFromSpec(argv: [String], expected: String) throws {
        let command = try LocalConnectorCommand.command(for: ConnectorSpec(image: "x", command: argv), what: "Source s", imageCommands: [:],
                                                        ferryExecutable: "/opt/ferry bin/ferry")
        #expect(command == expected)
    }

    @Test func commandsFromImageMappings() throws {
        let mapping = try LocalConnectorCommand.imageCommands(["airbyte/source-faker:7.2.1=/venv/bin/source-faker --debug", "a=b=c"])
        #expect(mapping == ["airbyte/source-faker:7.2.1": "/venv/bin/source-faker --debug", "a": "b=c"])
        #expect(try LocalConnectorCommand.command(for: ConnectorSpec(image: "airbyte/source-faker:7.2.1", command: []), what: "Source s",
                                                  imageCommands: mapping, ferryExecutable: "f") == "/venv/bin/source-faker --debug")
        // spec.command wins over a mapping.
        #expect(try LocalConnectorCommand.command(for: ConnectorSpec(image: "a", command: ["own"]), what: "Source s", imageCommands: mapping, ferryExecutable: "f") == "own")
        for bad in ["=cmd", "image=", "nothing"] {
            #expect(throws: LocalRunError.self) { try LocalConnectorCommand.imageCommands([bad]) }
        }
    }

    @Test func statePaths() {
        var options = LocalRunOptions(paths: [])
        #expect(options.statePath(for: ManifestKey(namespace: nil, name: "c")) == ".ferry/state/default/c/state.json")
        options.stateDirectory = "/var/lib/ferry/"
        #expect(options.statePath(for: ManifestKey(namespace: "data", name: "c")) == "/var/lib/ferry/data/c/state.json")
    }

    @Test func discoverOutput() throws {
        let lines = [
            "starting up", #"{"type":"LOG","log":{"level":"INFO","message":"hi"}}"#,
            #"{"type":"CATALOG","catalog":{"streams":[{"name":"users"}]}}"#,
        ]
        let ok = try LocalDiscover.catalog(fromOutput: Array(lines.joined(separator: "\n").utf8), exitCode: 0, stderrTail: "", what: "Source s")
        #expect(ok == ["streams": [["name": "users"]]])

        let trace = #"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"bad credentials","failure_type":"config_error"}}}"#
        #expect(throws: LocalRunError.failed("Source s: discover exited with code 1: bad credentials")) {
            try LocalDiscover.catalog(fromOutput: Array(trace.utf8), exitCode: 1, stderrTail: "Traceback\nValueError: x", what: "Source s")
        }
        #expect(throws: LocalRunError.failed("Source s: discover exited with code 2: ValueError: x")) {
            try LocalDiscover.catalog(fromOutput: [], exitCode: 2, stderrTail: "Traceback\nValueError: x", what: "Source s")
        }
        #expect(throws: LocalRunError.failed("Source s: discover printed no CATALOG")) {
            try LocalDiscover.catalog(fromOutput: Array(lines[0].utf8), exitCode: 0, stderrTail: "", what: "Source s")
        }
    }
}

extension LocalRunError: Equatable {
    public static func == (a: LocalRunError, b: LocalRunError) -> Bool { a.kind == b.kind && a.message == b.message }
}
