/// Parsing an API path into group/version, namespace, resource, name and subresource,
/// following apiserver `RequestInfoFactory` (including the legacy `/watch/` prefix).
import KubeCore

struct ResourcePath: Sendable {
    var groupVersion: GroupVersion
    var namespace: String?
    var plural: String
    var name: String?
    var subresource: String?
    var legacyWatch = false

    /// nil when the path is not a resource path (discovery documents are handled elsewhere).
    init?(segments: [String]) {
        var parts = segments[...]
        if parts.first == "api", parts.count >= 3 {
            groupVersion = GroupVersion(group: "", version: parts[parts.startIndex + 1])
            parts = parts.dropFirst(2)
        } else if parts.first == "apis", parts.count >= 4 {
            groupVersion = GroupVersion(group: parts[parts.startIndex + 1], version: parts[parts.startIndex + 2])
            parts = parts.dropFirst(3)
        } else {
            return nil
        }
        if parts.first == "watch" {
            legacyWatch = true
            parts = parts.dropFirst()
        }
        var p = Array(parts)
        if p.first == "namespaces", p.count > 1 {
            if p.count > 2 && p[2] != "status" && p[2] != "finalize" {
                namespace = p[1]
                p = Array(p.dropFirst(2))
            }
        }
        guard let first = p.first, p.count <= 3 else { return nil }
        plural = first
        name = p.count > 1 ? p[1] : nil
        subresource = p.count > 2 ? p[2] : nil
    }
}

/// How the client wants objects rendered (content negotiation on `Accept`).
struct OutputFormat: Sendable {
    var table = false
    var partialMetadata = false
    var includeObject = "Metadata"

    init(_ request: ServerRequest) {
        let accept = request.header("Accept") ?? ""
        // The first acceptable media type wins; kubectl lists Table first and plain JSON last.
        let first = accept.split(separator: ",").first.map(String.init) ?? ""
        table = first.contains("as=Table")
        partialMetadata = first.contains("as=PartialObjectMetadata")
        if let inc = request.queryValue("includeObject"), ["None", "Metadata", "Object"].contains(inc) { includeObject = inc }
    }
}
