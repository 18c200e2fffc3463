/// `metav1.Status`: the body of every API error, and the result of some deletes.
public struct Status: Codable, Sendable, Hashable, Error {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var metadata: ListMeta = ListMeta()
    public var status: String?
    public var message: String?
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: StatusReason? = nil, details: StatusDetails? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason?.rawValue
        self.details = details
        self.code = code
    }

    public var statusReason: StatusReason { StatusReason(rawValue: reason ?? "") }

    /// Decodes a Status from a JSON object, or nil for anything else. `kind`,
    /// `apiVersion` and `metadata` may be absent: servers, proxies and watch ERROR
    /// events omit them.
    public init?(json: JSONValue) {
        guard json.objectValue != nil, let status = try? json.decode(Status.self) else { return nil }
        self = status
    }

    private enum CodingKeys: String, CodingKey {
        case kind, apiVersion, metadata, status, message, reason, details, code
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "Status"
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion) ?? "v1"
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        status = try c.decodeIfPresent(String.self, forKey: .status)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        details = try c.decodeIfPresent(StatusDetails.self, forKey: .details)
        code = try c.decodeIfPresent(Int.self, forKey: .code)
    }
}

public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One field-level problem: `reason` is a CauseType such as `FieldValueInvalid`.
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// `metav1.StatusReason` values (apimachinery `types.go`).
public struct StatusReason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let unknown = StatusReason(rawValue: "")
    public static let unauthorized = StatusReason(rawValue: "Unauthorized")
    public static let forbidden = StatusReason(rawValue: "Forbidden")
    public static let notFound = StatusReason(rawValue: "NotFound")
    public static let alreadyExists = StatusReason(rawValue: "AlreadyExists")
    public static let conflict = StatusReason(rawValue: "Conflict")
    public static let gone = StatusReason(rawValue: "Gone")
    public static let invalid = StatusReason(rawValue: "Invalid")
    public static let serverTimeout = StatusReason(rawValue: "ServerTimeout")
    public static let storageReadError = StatusReason(rawValue: "StorageReadError")
    public static let timeout = StatusReason(rawValue: "Timeout")
    public static let tooManyRequests = StatusReason(rawValue: "TooManyRequests")
    public static let badRequest = StatusReason(rawValue: "BadRequest")
    public static let methodNotAllowed = StatusReason(rawValue: "MethodNotAllowed")
    public static let notAcceptable = StatusReason(rawValue: "NotAcceptable")
    public static let requestEntityTooLarge = StatusReason(rawValue: "RequestEntityTooLarge")
    public static let unsupportedMediaType = StatusReason(rawValue: "UnsupportedMediaType")
    public static let internalError = StatusReason(rawValue: "InternalError")
    public static let expired = StatusReason(rawValue: "Expired")
    public static let serviceUnavailable = StatusReason(rawValue: "ServiceUnavailable")
}

/// `metav1.CauseType` values.
public enum CauseType {
    public static let fieldValueNotFound = "FieldValueNotFound"
    public static let fieldValueRequired = "FieldValueRequired"
    public static let fieldValueDuplicate = "FieldValueDuplicate"
    public static let fieldValueInvalid = "FieldValueInvalid"
    public static let fieldValueNotSupported = "FieldValueNotSupported"
    public static let fieldValueForbidden = "FieldValueForbidden"
    public static let fieldValueTooLong = "FieldValueTooLong"
    public static let fieldValueTooMany = "FieldValueTooMany"
    public static let fieldValueTypeInvalid = "FieldValueTypeInvalid"
    public static let unexpectedServerResponse = "UnexpectedServerResponse"
    public static let fieldManagerConflict = "FieldManagerConflict"
    public static let resourceVersionTooLarge = "ResourceVersionTooLarge"
}
