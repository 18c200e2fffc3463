/// API errors as kube-apiserver renders them: an HTTP code plus a `metav1.Status` body,
/// built like apimachinery's `errors.New*` helpers so messages match byte for byte.
import KubeCore
import KubeMachinery

struct APIError: Error, Sendable {
    var status: Status
    var headers: [(String, String)] = []

    var code: Int { status.code ?? 500 }

    init(code: Int, reason: StatusReason, message: String, details: StatusDetails? = nil) {
        status = Status(status: "Failure", message: message, reason: reason, details: details, code: code)
    }

    static func notFound(_ gr: GroupResourceName, _ name: String) -> APIError {
        APIError(code: 404, reason: .notFound, message: "\(gr.qualified) \"\(name)\" not found",
                 details: StatusDetails(name: name, group: gr.group, kind: gr.resource))
    }

    /// The 404 for a path the server does not serve at all.
    static let notServed = APIError(code: 404, reason: .notFound, message: "the server could not find the requested resource",
                                    details: StatusDetails())

    static func alreadyExists(_ gr: GroupResourceName, _ name: String) -> APIError {
        APIError(code: 409, reason: .alreadyExists, message: "\(gr.qualified) \"\(name)\" already exists",
                 details: StatusDetails(name: name, group: gr.group, kind: gr.resource))
    }

    static func conflict(_ gr: GroupResourceName, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: .conflict, message: "Operation cannot be fulfilled on \(gr.qualified) \"\(name)\": \(why)",
                 details: StatusDetails(name: name, group: gr.group, kind: gr.resource))
    }

    static func staleUpdate(_ gr: GroupResourceName, _ name: String) -> APIError {
        conflict(gr, name, "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 in the `NewInvalid` format: `Kind.group "name" is invalid: path: detail` (several joined in brackets).
    static func invalid(kind: String, group: String, name: String, _ errors: [FieldError]) -> APIError {
        let qualifiedKind = group.isEmpty ? kind : "\(kind).\(group)"
        let rendered = errors.count == 1 ? errors[0].description : "[" + errors.map(\.description).joined(separator: ", ") + "]"
        return APIError(code: 422, reason: .invalid, message: "\(qualifiedKind) \"\(name)\" is invalid: \(rendered)",
                        details: StatusDetails(name: name, group: group, kind: kind, causes: errors.map(\.cause)))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: .badRequest, message: message)
    }

    static func forbidden(_ gr: GroupResourceName, _ name: String, _ why: String) -> APIError {
        APIError(code: 403, reason: .forbidden, message: "\(gr.qualified) \"\(name)\" is forbidden: \(why)",
                 details: StatusDetails(name: name, group: gr.group, kind: gr.resource))
    }

    static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: .expired, message: message)
    }

    static func tooOld(requested: Int64, oldest: Int64) -> APIError {
        expired("too old resource version: \(requested) (\(oldest))")
    }

    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: .methodNotAllowed, message: "the server does not allow this method on the requested resource")
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> APIError {
        APIError(code: 415, reason: .unsupportedMediaType,
                 message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "))
    }

    static func tooLarge() -> APIError {
        APIError(code: 413, reason: .requestEntityTooLarge, message: "the server has received too large of a request body")
    }

    static let unauthorized = APIError(code: 401, reason: .unauthorized, message: "Unauthorized")

    static func `internal`(_ message: String) -> APIError {
        APIError(code: 500, reason: .internalError, message: "Internal error occurred: \(message)",
                 details: StatusDetails(causes: [StatusCause(reason: "", message: message)]))
    }

    static func tooLargeResourceVersion(requested: Int64, current: Int64) -> APIError {
        APIError(code: 504, reason: .timeout, message: "Too large resource version: \(requested), current: \(current)",
                 details: StatusDetails(causes: [StatusCause(reason: CauseType.resourceVersionTooLarge,
                                                             message: "Too large resource version")], retryAfterSeconds: 1))
    }

    /// The Status serialized as JSON.
    var body: [UInt8] {
        // Status is a plain Codable value; encoding it cannot fail, the fallback only guards the type system.
        ((try? JSONValue(encoding: status)) ?? ["kind": "Status", "apiVersion": "v1", "code": .int(Int64(code))]).serializedBytes()
    }
}

/// A group and plural resource, as error messages name a resource (`leases.coordination.k8s.io`).
struct GroupResourceName: Sendable, Hashable {
    var group: String
    var resource: String
    var qualified: String { group.isEmpty ? resource : "\(resource).\(group)" }

    static let namespaces = GroupResourceName(group: "", resource: "namespaces")
}

/// FNV-1a, for stable identifiers derived from content (discovery and OpenAPI hashes);
/// `hashValue` is seeded per process, which would change them on every restart.
func stableHash(_ text: String) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return String(h, radix: 16)
}
