/// The examples: each Ferry object decodes to its Swift type and re-encodes to the same
/// JSON (no field lost), and `ferry validate` finds no problem in them.
import FerryAPI
import Foundation
import KubeCore
import Testing

@Suite("examples")
struct ExampleTests {
    static let files: [String] = (try? Repository.yamlFiles(in: Repository.examples).map(\.lastPathComponent)) ?? []

    @Test("there is an example for each scenario")
    func examplesExist() {
        #expect(Self.files.count >= 5)
        let kinds = Set(Self.files.flatMap { (try? documents($0)) ?? [] }.compactMap { $0["kind"].stringValue })
        #expect(kinds.isSuperset(of: ["Source", "Destination", "Connection", "WorkerPool"]))
    }

    @Test("round trip through the Swift types", arguments: files)
    func roundTrip(file: String) throws {
        for document in try documents(file) where document["apiVersion"] == .string(FerryAPI.apiVersion) {
            let kind = try #require(document["kind"].stringValue)
            let type = try #require(FerryAPI.kind(named: kind), "unknown kind \(kind) in \(file)")
            func reencode<T: FerryResource>(_ t: T.Type) throws -> JSONValue { try JSONValue(encoding: try document.decode(T.self)) }
            #expect(try reencode(type) == document, "\(file): \(kind)/\(document.name ?? "")")
        }
    }

    @Test("ferry validate accepts the examples")
    func examplesValidate() throws {
        let files = try Repository.yamlFiles(in: Repository.examples).map { (name: $0.lastPathComponent, text: try Repository.read($0)) }
        #expect(ManifestValidator.validate(files: files).map(\.description) == [])
    }

    func documents(_ file: String) throws -> [JSONValue] {
        try YAMLDocuments.parse(Repository.read(Repository.examples.appendingPathComponent(file))).map { try $0.result.get() }
    }
}
