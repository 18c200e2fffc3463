/// `ferry validate`: offline validation of manifests with the same schema and semantic
/// rules as the API server and the controllers; one line per problem, exit 1 if any.
import ArgumentParser
import FerryAPI
import Foundation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check Ferry manifests offline; prints one line per problem and exits 1 if there is any.",
        discussion: "Each line reads <file>: <Kind>/<name>: <field>: <message>. Objects of other API groups are skipped."
    )

    @Option(name: .customShort("f"), parsing: .singleValue, help: "A manifest file (YAML or JSON, multi-document) or a directory of them; repeatable.")
    var filename: [String] = []

    @Argument(help: "More files or directories.")
    var paths: [String] = []

    @Flag(name: .shortAndLong, help: "Descend into subdirectories of directories.")
    var recursive = false

    func run() throws {
        let inputs = filename + paths
        guard !inputs.isEmpty else { throw ValidationError("give at least one manifest with -f PATH") }
        var files: [(name: String, text: String)] = []
        var unreadable: [String] = []
        for path in try inputs.flatMap(expand) {
            do {
                files.append((path, try String(contentsOfFile: path, encoding: .utf8)))
            } catch {
                unreadable.append("\(path): cannot read: \(error.localizedDescription)")
            }
        }
        let problems = unreadable + ManifestValidator.validate(files: files).map(\.description)
        for line in problems { print(line) }
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// A file as is; a directory as its .yaml/.yml/.json files, sorted (recursively with -R).
    func expand(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let entries: [String]
        do {
            entries = recursive
                ? try FileManager.default.subpathsOfDirectory(atPath: path)
                : try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw ValidationError("\(path): cannot list directory: \(error.localizedDescription)")
        }
        return entries.filter { entry in [".yaml", ".yml", ".json"].contains { entry.hasSuffix($0) } }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }
}
