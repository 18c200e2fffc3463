/// Offline validation of manifest files (`ferry validate`): the CRD schema exactly as the
/// API server applies it (pruning, defaulting, OpenAPI and CEL rules via StructuralSchema),
/// then the semantic rules of FerryValidation. Objects of other groups are skipped.
import Foundation
import KubeCore
import KubeMachinery

/// One problem in a manifest: `<file>: <Kind>/<name>: <field>: <message>`.
public struct ManifestProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// `Kind/name`, or `document N` when the document has no identity.
    public var object: String
    public var field: String
    public var message: String
    /// One line even when a name, key or value in it holds line breaks (a YAML name can):
    /// `ferry validate` prints one line per problem. Breaks are escaped: `\n`, `\r`, `\u{2028}`.
    public var description: String { Self.escapingLineBreaks("\(file): \(object): \(field): \(message)") }

    static func escapingLineBreaks(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where Character(scalar).isNewline: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
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
                    problems.append(ManifestProblem(file: file, object: "document \(doc.index)", field: "(document)", message: oneLine(error.message)))
                case .success(let value) where value["kind"] == "List":
                    // kubectl's `kind: List` wraps objects in items.
                    for item in value["items"].arrayValue ?? [] {
                        problems += validate(document: item, index: doc.index, file: file, context: context)
                    }
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
        // As kubectl's default strict field validation: fields the schema lacks are errors.
        let schemaErrors = schema.validate(schema.applyDefaults(pruned), old: nil)
        // Inside a field of the wrong type everything looks unknown; the type error says it all.
        let unknown = unknownFields(value, pruned, path: "").filter { path in !schemaErrors.contains { covers($0.path, path) } }
        var problems = unknown.map { ManifestProblem(file: file, object: object, field: $0, message: "unknown field \"\($0)\"") }
        problems += schemaErrors.map(problem)

        let decoded: any FerryResource
        do {
            // Drop the fields the schema rejected so the remaining rules still run on the rest.
            let repaired = schemaErrors.reduce(schema.applyDefaults(pruned)) { removing($1.path, from: $0) }
            decoded = try decode(type, from: repaired)
        } catch {
            // Type errors are already reported by the schema; only report what it missed.
            if problems.isEmpty { problems.append(ManifestProblem(file: file, object: object, field: "(document)", message: "cannot decode \(kindName): \(error)")) }
            return problems
        }
        // A schema error is the more precise report; skip semantic errors about the same field
        // or a field that contains it.
        let reported = schemaErrors.map(\.path) + unknown
        for e in FerryValidation.validate(decoded, context: context) where !reported.contains(where: { covers(e.path, $0) }) {
            problems.append(problem(e))
        }
        return problems
    }

    /// Parser messages span lines; the output has one line per problem.
    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "^" }.joined(separator: " ")
    }

    static func decode<T: FerryResource>(_ type: T.Type, from value: JSONValue) throws -> any FerryResource {
        try value.decode(T.self)
    }

    /// `value` without the field at `path` (`spec.streams[1].syncMode`); unchanged if absent.
    static func removing(_ path: String, from value: JSONValue) -> JSONValue {
        var segments: [String] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let open = rest.firstIndex(of: "[") {
                segments.append(String(rest[..<open]))
                rest = rest[open...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    segments.append(String(rest[rest.startIndex...close]))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                segments.append(String(rest))
            }
        }
        return removing(segments[...], from: value)
    }

    static func removing(_ segments: ArraySlice<String>, from value: JSONValue) -> JSONValue {
        guard let first = segments.first else { return value }
        let rest = segments.dropFirst()
        switch value {
        case .object(var o):
            guard let child = o[first] else { return value }
            if !rest.isEmpty {
                o[first] = removing(rest, from: child)
            } else if child.objectValue == nil, child.arrayValue == nil {
                // Rules on whole objects (CEL) leave them in place so their fields are still checked.
                o[first] = nil
            }
            return .object(o)
        case .array(var a):
            guard first.hasPrefix("["), let i = Int(first.dropFirst().dropLast()), a.indices.contains(i) else { return value }
            // Removing an element would shift the indexes of later errors; empty it instead.
            a[i] = rest.isEmpty ? .object([:]) : removing(rest, from: a[i])
            return .array(a)
        default:
            return value
        }
    }

    /// Whether `outer` is `inner` or one of its parents.
    static func covers(_ outer: String, _ inner: String) -> Bool {
        outer == inner || inner.hasPrefix(outer + ".") || inner.hasPrefix(outer + "[")
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
