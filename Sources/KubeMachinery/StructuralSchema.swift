/// A CRD version's `openAPIV3Schema`, checked for structure (apiextensions v1 rules) and
/// used to validate, prune and default custom objects.
import KubeCore

/// Problems with the schema itself (a CRD that the API server must reject).
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(errors: [FieldError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: ", ") }
}

public struct StructuralSchema: Sendable {
    let root: SchemaNode

    /// Field path of the schema in a v1beta1-style CRD, used in error messages.
    public static let defaultFieldPath = "spec.validation.openAPIV3Schema"

    public init(openAPIV3Schema: JSONValue) throws(SchemaError) {
        try self.init(openAPIV3Schema: openAPIV3Schema, fieldPath: Self.defaultFieldPath)
    }

    /// `fieldPath` names the schema in errors, e.g. `spec.versions[0].schema.openAPIV3Schema`.
    public init(openAPIV3Schema: JSONValue, fieldPath: String) throws(SchemaError) {
        guard case .object = openAPIV3Schema else {
            throw SchemaError(errors: [FieldError(.required, path: fieldPath, detail: "must be an object")])
        }
        var errors: [FieldError] = []
        let root = SchemaNode(openAPIV3Schema, path: fieldPath, errors: &errors)
        StructuralCheck.check(root, path: fieldPath, position: .root, errors: &errors)
        // Sorted like kube-apiserver's, so messages are stable.
        if !errors.isEmpty { throw SchemaError(errors: errors.sorted { $0.description < $1.description }) }
        self.root = root
    }
}

