/// A minimal audit log: who asked for what, in RBAC's terms, so a test can check an
/// operator's real requests against the rules it ships. Kept in memory, off unless
/// `APIServerConfiguration.auditRequests` is set.
import KubeCore
import Synchronization

/// One resource request as the RBAC authorizer sees it (`authorizer.Attributes`).
public struct AuditRecord: Sendable, Hashable, CustomStringConvertible {
    public var userAgent: String
    /// get, list, watch, create, update, patch, delete or deletecollection.
    public var verb: String
    public var apiGroup: String
    public var resource: String
    public var subresource: String?
    public var namespace: String?
    public var name: String?
    /// The HTTP status the server answered with.
    public var code: Int

    public var description: String {
        let target = resource + (subresource.map { "/\($0)" } ?? "")
        let group = apiGroup.isEmpty ? "core" : apiGroup
        return "\(verb) \(group) \(target) \(namespace ?? "-")/\(name ?? "-") -> \(code) (\(userAgent))"
    }
}

/// The records of an auditing server, in arrival order.
final class RequestAudit: Sendable {
    private let records = Mutex<[AuditRecord]>([])

    func append(_ record: AuditRecord) { records.withLock { $0.append(record) } }

    var all: [AuditRecord] { records.withLock { $0 } }

    /// The RBAC verb of a request, as kube-apiserver's `RequestInfoFactory` derives it:
    /// GET of one object is get, of a collection list, with `watch=true` (or under the
    /// legacy `/watch/` prefix) watch; DELETE of a collection is deletecollection.
    static func verb(method: String, path: ResourcePath, watchParameter: Bool) -> String {
        let named = path.name != nil
        switch method {
        case "GET", "HEAD":
            if path.legacyWatch || watchParameter { return "watch" }
            return named ? "get" : "list"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return named ? "delete" : "deletecollection"
        default: return method.lowercased()
        }
    }

    static func record(_ request: ServerRequest, path: ResourcePath, code: Int) -> AuditRecord {
        AuditRecord(
            userAgent: request.header("User-Agent") ?? "",
            verb: verb(method: request.method, path: path, watchParameter: request.queryBool("watch")),
            apiGroup: path.groupVersion.group, resource: path.plural, subresource: path.subresource,
            namespace: path.namespace, name: path.name, code: code)
    }
}
