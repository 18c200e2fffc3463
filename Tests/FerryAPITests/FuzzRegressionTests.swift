/// Inputs the fuzz targets (Fuzz/, docs/fuzzing.md) found problems with, pinned after the fix.
import FerryAPI
import Testing

@Suite("fuzz regressions")
struct FuzzRegressionTests {
    /// FuzzManifest: a syntax error after a skipped empty document was numbered as if the
    /// empty one did not exist, so it took the number of the document before it (here 2).
    @Test("a YAML error names its own document when an empty one was skipped")
    func errorAfterEmptyDocument() throws {
        let docs = YAMLDocuments.parse("---\n---\nkind: A\n---\n[\n")
        #expect(docs.map(\.index) == [2, 3])
        let error = try #require(docs.last)
        guard case .failure(let e) = error.result else { Issue.record("expected a YAML error, got \(error.result)"); return }
        #expect(e.message.hasPrefix("invalid YAML"), "\(e.message)")
        let problems = ManifestValidator.validate(files: [(name: "m.yaml", text: "---\n---\nkind: A\n---\n[\n")])
        #expect(problems.map(\.object).contains("document 3"), "\(problems)")
    }

    /// FuzzManifest: a flow-style name with blank lines in it (YAML folds them into line
    /// breaks) made a problem span several lines of `ferry validate` output.
    @Test("a problem is one line even when the object's name has line breaks")
    func problemWithLineBreaksInName() {
        let yaml = """
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: pg-to-

              files}
            spec: {sourceRef: {name: "s\\r\\n"}, destinationRef: {name: "d\\u2028"}}
            """
        let problems = ManifestValidator.validate(files: [(name: "m.yaml", text: yaml)])
        #expect(!problems.isEmpty)
        for problem in problems {
            let spansLines = problem.description.contains { $0.isNewline }
            #expect(!spansLines, "\(problem.description)")
            #expect(problem.description.hasPrefix(#"m.yaml: Connection/pg-to-\nfiles: "#), "\(problem.description)")
        }
    }
}
