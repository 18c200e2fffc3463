/// HTTP methods used by the Kubernetes API.
public enum HTTPMethod: String, Sendable, Hashable {
    case GET, POST, PUT, PATCH, DELETE
}

/// Patch flavours and their content types (`apimachinery/pkg/types/patch.go`).
public enum PatchType: String, Sendable, Hashable, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    public var contentType: String { rawValue }
}

/// `ListOptions` as query parameters of list and watch requests.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool?
    public var sendInitialEvents: Bool?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil,
        allowWatchBookmarks: Bool? = nil, sendInitialEvents: Bool? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    public var queryItems: [(String, String)] {
        var q: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
        if let limit { q.append(("limit", String(limit))) }
        if let continueToken { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        if let allowWatchBookmarks { q.append(("allowWatchBookmarks", String(allowWatchBookmarks))) }
        if let sendInitialEvents { q.append(("sendInitialEvents", String(sendInitialEvents))) }
        return q
    }
}

/// `metav1.DeleteOptions`.
public struct DeleteOptions: Sendable, Hashable {
    public enum PropagationPolicy: String, Sendable, Hashable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int64?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?

    public init(propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
    }

    public var json: JSONValue {
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { body["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { body["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        var pre: JSONValue = .emptyObject
        if let preconditionUID { pre["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { pre["resourceVersion"] = .string(preconditionResourceVersion) }
        if pre != .emptyObject { body["preconditions"] = pre }
        return body
    }
}

/// A request to the API server, built without I/O: the client sends it, tests inspect it.
public struct APIRequest: Sendable, Hashable {
    public var method: HTTPMethod
    public var path: String
    public var query: [(String, String)]
    public var contentType: String?
    public var body: [UInt8]?

    public init(method: HTTPMethod, path: String, query: [(String, String)] = [], contentType: String? = nil, body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.contentType = contentType
        self.body = body
    }

    public static func == (a: APIRequest, b: APIRequest) -> Bool {
        a.method == b.method && a.path == b.path && a.query.elementsEqual(b.query, by: ==) && a.contentType == b.contentType && a.body == b.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(path)
        for (k, v) in query { hasher.combine(k); hasher.combine(v) }
        hasher.combine(contentType)
        hasher.combine(body)
    }

    /// Path plus percent-encoded query string.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    /// Whether repeating the request cannot change the outcome (safe to retry on 5xx/429).
    public var isIdempotent: Bool {
        switch method {
        case .GET, .PUT, .DELETE: return true
        case .POST, .PATCH: return false
        }
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters pass through).
public func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        let c = Character(Unicode.Scalar(b))
        if (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || c == "-" || c == "." || c == "_" || c == "~" {
            out.append(c)
        } else {
            let hex = Array("0123456789ABCDEF")
            out.append("%")
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xf)])
        }
    }
    return out
}

/// Builds the requests for one resource type: the no-I/O half of the client.
public struct RequestBuilder: Sendable, Hashable {
    public var resource: ResourceType

    public init(_ resource: ResourceType) { self.resource = resource }

    /// `/api/v1/namespaces/ns/pods/name/status`, leaving out the parts not given.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var p = resource.gvk.groupVersion.pathPrefix
        if resource.namespaced, let namespace { p += "/namespaces/\(pathEscape(namespace))" }
        p += "/\(resource.plural)"
        if let name {
            p += "/\(pathEscape(name))"
            if let subresource { p += "/\(subresource)" }
        }
        return p
    }

    public func get(name: String, namespace: String?, subresource: String? = nil) -> APIRequest {
        APIRequest(method: .GET, path: path(namespace: namespace, name: name, subresource: subresource))
    }

    public func list(namespace: String?, options: ListOptions = ListOptions()) -> APIRequest {
        APIRequest(method: .GET, path: path(namespace: namespace), query: options.queryItems)
    }

    public func watch(namespace: String?, options: ListOptions) -> APIRequest {
        APIRequest(method: .GET, path: path(namespace: namespace), query: [("watch", "true")] + options.queryItems)
    }

    public func create(_ object: JSONValue, namespace: String?, fieldManager: String? = nil, dryRun: Bool = false) -> APIRequest {
        APIRequest(method: .POST, path: path(namespace: namespace), query: writeQuery(fieldManager: fieldManager, dryRun: dryRun), contentType: "application/json", body: object.serializedBytes())
    }

    public func update(_ object: JSONValue, name: String, namespace: String?, subresource: String? = nil, fieldManager: String? = nil, dryRun: Bool = false) -> APIRequest {
        APIRequest(
            method: .PUT, path: path(namespace: namespace, name: name, subresource: subresource),
            query: writeQuery(fieldManager: fieldManager, dryRun: dryRun), contentType: "application/json", body: object.serializedBytes())
    }

    public func patch(
        _ patch: [UInt8], type: PatchType, name: String, namespace: String?, subresource: String? = nil,
        fieldManager: String? = nil, force: Bool? = nil, dryRun: Bool = false
    ) -> APIRequest {
        var q = writeQuery(fieldManager: fieldManager, dryRun: dryRun)
        if let force { q.append(("force", String(force))) }
        return APIRequest(method: .PATCH, path: path(namespace: namespace, name: name, subresource: subresource), query: q, contentType: type.contentType, body: patch)
    }

    public func delete(name: String, namespace: String?, options: DeleteOptions = DeleteOptions()) -> APIRequest {
        APIRequest(method: .DELETE, path: path(namespace: namespace, name: name), contentType: "application/json", body: options.json.serializedBytes())
    }

    public func deleteCollection(namespace: String?, options: ListOptions = ListOptions(), deleteOptions: DeleteOptions = DeleteOptions()) -> APIRequest {
        APIRequest(method: .DELETE, path: path(namespace: namespace), query: options.queryItems, contentType: "application/json", body: deleteOptions.json.serializedBytes())
    }

    private func writeQuery(fieldManager: String?, dryRun: Bool) -> [(String, String)] {
        var q: [(String, String)] = []
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if dryRun { q.append(("dryRun", "All")) }
        return q
    }

    private func pathEscape(_ s: String) -> String {
        // Names are DNS subdomains in practice; escape anything else so a bad name cannot alter the path.
        s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 || ($0 >= 65 && $0 <= 90) || $0 == 95 || $0 == 58 } ? s : percentEncode(s)
    }
}
