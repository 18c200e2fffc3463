/// Fuzzes manifest reading and validation as `ferry validate` and `ferry run -f` use them:
/// multi-document YAML/JSON to JSON values (YAMLDocuments), then the CRD schema (pruning,
/// defaulting, OpenAPI and CEL rules) and the semantic rules (ManifestValidator).
///
/// A NUL byte separates files (at most four), so a Source's catalog in one file reaches the
/// Connections in another, as with `ferry validate -f a.yaml -f b.yaml`.
///
/// Invariants (documented in Sources/FerryAPI and ValidateCommand):
/// - Validation is a pure function of the files: the same input gives the same problems.
/// - `ferry validate` prints one line per problem: no problem spans lines.
/// - Every parsed document is numbered from 1, in order.
import FerryAPI
import KubeCore
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let files = bytes.split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).enumerated().map { index, part in
        (name: "file\(index).yaml", text: String(decoding: part, as: UTF8.self))
    }
    for file in files {
        let documents = YAMLDocuments.parse(file.text)
        var last = 0
        for document in documents {
            require(document.index > last, "document numbers out of order: \(documents.map(\.index))")
            last = document.index
        }
    }
    let problems = ManifestValidator.validate(files: files)
    for problem in problems {
        require(!problem.description.contains(where: \.isNewline), "a problem spans lines: \(problem.description)")
    }
    require(ManifestValidator.validate(files: files) == problems, "validating the same files twice gave different problems")
    return 0
}

#if FERRY_FUZZING
runLibFuzzer(fuzz)  // scripts/fuzz.sh's build; see FuzzSupport
#endif
