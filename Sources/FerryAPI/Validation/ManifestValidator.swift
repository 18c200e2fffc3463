/// Offline validation of manifest files (`ferry validate`): the CRD schema exactly as the
/// API server applies it (pruning, defaulting, OpenAPI and CEL rules via StructuralSchema),
/// then the semantic rules of FerryValidation. Objects of other groups are skipped.
import KubeCore
import KubeMachinery

/// One problem in a manifest: `<file>: <Kind>/<name>: <field>: <message>`.
public struct ManifestProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// `Kind/name`, or `document N` when the document has no identity.
    public var object: String
    public var field: String
    public var message: String
    public var description: String { "\(file): \(object): \(field): \(message)" }
}

public enum ManifestValidator {
    /// The structural schema of each kind, built once (the CRDs are fixed at compile time).
    static let schemas: [String: Result<StructuralSchema, SchemaError>] = {
        var out: [String: Result<StructuralSchema, SchemaError>] = [:]
        for type in FerryAPI.kinds {
            out[type.resourceType.kind] = Result { () throws(SchemaError) in try StructuralSchema(openAPIV3Schema: type.definition.openAPIV3Schema) }
        }
        return out
    }()

    /// Validates the documents of several files together, so a Source's discovered catalog
    /// in one file informs the Connections in another.
    public static func validate(files: [(name: String, text: String)]) -> [ManifestProblem] {
        var problems: [ManifestProblem] = []
        var parsed: [(file: String, docs: [ManifestDocument])] = []
        var context = FerryValidation.Context()
        for file in files {
            let docs = YAMLDocuments.parse(file.text)
            parsed.append((file.name, docs))
            for case .success(let value) in docs.map(\.result) where value["kind"] == "Source" && value["apiVersion"] == .string(FerryAPI.apiVersion) {
                if let name = value.name, let catalog = try? value["status"]["catalog"].decode(DiscoveredCatalog.self) {
                    context.catalogs[name] = catalog
                }
            }
        }
        for (file, docs) in parsed {
            for doc in docs {
                switch doc.result {
                case .failure(let error):
                    problems.append(ManifestProblem(file: file, object: "document \(doc.index)", field: "(document)", message: error.message))
                case .success(let value):
                    problems += validate(document: value, index: doc.index, file: file, context: context)
                }
            }
        }
        return problems
    }

    /// Validates one parsed document.
    public static func validate(document value: JSONValue, index: Int, file: String, context: FerryValidation.Context = .init()) -> [ManifestProblem] {
        guard case .object = value else {
            return [ManifestProblem(file: file, object: "document \(index)", field: "(document)", message: "expected an object with apiVersion and kind")]
        }
        let kindName = value["kind"].stringValue ?? ""
        let name = value.name ?? value["metadata"]["generateName"].stringValue.map { $0 + "*" } ?? "document \(index)"
        let object = kindName.isEmpty ? "document \(index)" : "\(kindName)/\(name)"
        func problem(_ e: FieldError) -> ManifestProblem { ManifestProblem(file: file, object: object, field: e.path, message: e.message) }

        guard let apiVersion = value["apiVersion"].stringValue, let gv = GroupVersion(apiVersion: apiVersion), !kindName.isEmpty else {
            return [ManifestProblem(file: file, object: object, field: "(document)", message: "apiVersion and kind are required")]
        }
        guard gv.group == FerryAPI.group else { return [] }
        guard let type = FerryAPI.kind(named: kindName) else {
            let known = FerryAPI.kinds.map { $0.resourceType.kind }.joined(separator: ", ")
            return [ManifestProblem(file: file, object: object, field: "kind", message: "Unsupported value: \"\(kindName)\": supported values: \(known)")]
        }
        guard gv.version == FerryAPI.version else {
            return [ManifestProblem(file: file, object: object, field: "apiVersion", message: "Unsupported value: \"\(apiVersion)\": supported values: \"\(FerryAPI.apiVersion)\"")]
        }
        let schema: StructuralSchema
        switch schemas[kindName] {
        case .success(let s)?: schema = s
        case .failure(let e)?: return [ManifestProblem(file: file, object: object, field: "(schema)", message: "the \(kindName) schema is invalid: \(e)")]
        case nil: return []
        }

        let pruned = schema.prune(value)
        var schemaErrors = unknownFields(value, pruned, path: "").map { FieldError(.notFound, path: $0, detail: "unknown field") }
        schemaErrors += schema.validate(schema.applyDefaults(pruned), old: nil)
        var problems = schemaErrors.map(problem)

        let decoded: any FerryResource
        do {
            decoded = try decode(type, from: schema.applyDefaults(pruned))
        } catch {
            // Type errors are already reported by the schema; only report what it missed.
            if schemaErrors.isEmpty { problems.append(ManifestProblem(file: file, object: object, field: "(document)", message: "cannot decode \(kindName): \(error)")) }
            return problems
        }
        // A schema error is the more precise report; skip semantic errors about the same field.
        let reported = schemaErrors.map(\.path)
        for e in FerryValidation.validate(decoded, context: context) where !reported.contains(where: { overlaps($0, e.path) }) {
            problems.append(problem(e))
        }
        return problems
    }

    static func decode<T: FerryResource>(_ type: T.Type, from value: JSONValue) throws -> any FerryResource {
        try value.decode(T.self)
    }

    static func overlaps(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + ".") || b.hasPrefix(a + ".") || a.hasPrefix(b + "[") || b.hasPrefix(a + "[")
    }

    /// Paths present in `original` but dropped by pruning, as `spec.foo` / `spec.streams[0].bar`.
    static func unknownFields(_ original: JSONValue, _ pruned: JSONValue, path: String) -> [String] {
        switch (original, pruned) {
        case (.object(let o), .object(let p)):
            var out: [String] = []
            for key in o.keys.sorted() {
                let child = path.isEmpty ? key : path + "." + key
                guard let kept = p[key] else {
                    out.append(child)
                    continue
                }
                out += unknownFields(o[key] ?? .null, kept, path: child)
            }
            return out
        case (.array(let o), .array(let p)):
            return zip(o, p).enumerated().flatMap { unknownFields($0.element.0, $0.element.1, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }
}
