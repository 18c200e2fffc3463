/// `FieldError`, the validation problem type shared by schemas, the API server and clients.
import KubeCore

/// A field-level validation problem, rendered like apimachinery's `field.Error`:
/// `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case required = "Required value"
        case invalid = "Invalid value"
        case notSupported = "Unsupported value"
        case typeInvalid = "Invalid value "  // rendered as "Invalid value" (type errors)
        case forbidden = "Forbidden"
        case tooLong = "Too long"
        case tooMany = "Too many"
        case duplicate = "Duplicate value"
        case notFound = "Not found"

        /// `metav1.CauseType` for this kind.
        public var causeType: String {
            switch self {
            case .required: return CauseType.fieldValueRequired
            case .invalid: return CauseType.fieldValueInvalid
            case .notSupported: return CauseType.fieldValueNotSupported
            case .typeInvalid: return CauseType.fieldValueTypeInvalid
            case .forbidden: return CauseType.fieldValueForbidden
            case .tooLong: return CauseType.fieldValueTooLong
            case .tooMany: return CauseType.fieldValueTooMany
            case .duplicate: return CauseType.fieldValueDuplicate
            case .notFound: return CauseType.fieldValueNotFound
            }
        }
    }

    public var kind: Kind
    /// Dotted field path with indexes, e.g. `spec.containers[0].name`.
    public var path: String
    public var value: JSONValue?
    public var detail: String

    public init(_ kind: Kind, path: String, value: JSONValue? = nil, detail: String = "") {
        self.kind = kind
        self.path = path
        self.value = value
        self.detail = detail
    }

    /// The message without the path, as in a StatusCause: `Invalid value: -1: must be ...`.
    public var message: String {
        var s = kind == .typeInvalid ? "Invalid value" : kind.rawValue
        // As apimachinery's `ErrorBody`: these kinds never show the value.
        if let value, kind != .required, kind != .forbidden, kind != .tooLong {
            s += ": " + Self.render(value)
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    public var description: String { "\(path): \(message)" }

    public var cause: StatusCause { StatusCause(reason: kind.causeType, message: message, field: path) }

    static func render(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        default: return v.serialized()
        }
    }
}
