/// `ferry worker empty-source --catalog F`: the source of a `refresh: clear` pod — no
/// records, one STREAM_STATUS COMPLETE per configured stream, so the destination
/// (running every stream in overwrite mode) replaces each stream with nothing.
import AirbyteProtocol
import ArgumentParser
import FerryAPI
import Foundation
import KubeCore

struct EmptySourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "empty-source",
        abstract: "Print one STREAM_STATUS COMPLETE per stream of a configured catalog (the source of a clear)."
    )

    @Option(help: "Configured catalog (JSON file).")
    var catalog: String

    func run() throws {
        let parsed: ConfiguredCatalog
        do {
            parsed = try ConfiguredCatalog(json: JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: catalog)))))
        } catch {
            throw ValidationError("--catalog \(catalog): \(error)")
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for line in ClearingInput.lines(for: parsed, emittedAt: now) { print(line) }
    }
}
