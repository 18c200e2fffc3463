/// `ferry crds`: prints the CustomResourceDefinitions of the Ferry kinds, or writes one
/// file per CRD (the committed `crds/` directory is produced this way).
import ArgumentParser
import FerryAPI
import Foundation

struct CRDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print the Ferry CRDs as YAML, or write one file per CRD into a directory.",
        discussion: "Regenerate the committed CRDs with: ferry crds --out crds"
    )

    @Option(help: "Write one file per CRD (ferry.dev_<plural>.yaml) into this directory instead of printing.")
    var out: String?

    func run() throws {
        guard let out else {
            print(CRDRendering.all(), terminator: "")
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create directory \(out): \(error.localizedDescription)")
        }
        for file in CRDRendering.files() {
            let path = (out as NSString).appendingPathComponent(file.name)
            do {
                try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write \(path): \(error.localizedDescription)")
            }
            print(path)
        }
    }
}
