/// The errors of the Kubernetes client: API errors (a decoded `Status`), transport,
/// decoding, configuration and credential failures, kept apart so callers can react.
import Foundation
import KubeCore

/// Everything the client can throw. API errors are the server's answer; the other cases
/// mean the request never got a usable answer.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// The API server answered with a non-success status.
    case api(APIError)
    /// Connecting, TLS, or reading the response failed; the request may not have reached the server.
    case transport(TransportError)
    /// The server answered 2xx but the body could not be decoded as expected.
    case decoding(DecodingFailure)
    /// The kubeconfig / in-cluster configuration is unusable.
    case configuration(ConfigurationError)
    /// Obtaining credentials (token file, exec plugin, certificates) failed.
    case credentials(CredentialError)
    /// The calling task was cancelled while the request was waiting or in flight.
    case cancelled(operation: String)

    public var description: String {
        switch self {
        case .api(let e): return e.description
        case .transport(let e): return e.description
        case .decoding(let e): return e.description
        case .configuration(let e): return e.description
        case .credentials(let e): return e.description
        case .cancelled(let operation): return "\(operation): cancelled"
        }
    }

    /// The API error, when this is one.
    public var apiError: APIError? {
        if case .api(let e) = self { return e }
        return nil
    }

    public var isNotFound: Bool { apiError?.isNotFound ?? false }
    public var isConflict: Bool { apiError?.isConflict ?? false }
    public var isAlreadyExists: Bool { apiError?.isAlreadyExists ?? false }
    public var isGone: Bool { apiError?.isGone ?? false }
    public var isInvalid: Bool { apiError?.isInvalid ?? false }
}

/// An error answer from the API server: the HTTP code and the `Status` it carried
/// (or one synthesized from the code when the body was not a Status, as client-go does).
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var status: Status
    /// The `Retry-After` response header in seconds, when the server sent one.
    public var retryAfterHeader: Int?
    /// What was being done, e.g. `GET /api/v1/namespaces/default/pods/x`.
    public var operation: String

    public init(code: Int, status: Status, retryAfterHeader: Int? = nil, operation: String) {
        self.code = code
        self.status = status
        self.retryAfterHeader = retryAfterHeader
        self.operation = operation
    }

    /// Decodes the body as a `Status`, or synthesizes one the way client-go's
    /// `newUnstructuredResponseError` does when the body is something else.
    public init(code: Int, body: [UInt8], retryAfterHeader: Int? = nil, operation: String) {
        if let json = try? JSONValue.parse(body), json.kind == "Status", var status = Status(json: json) {
            if status.code == nil || status.code == 0 { status.code = code }
            self.init(code: code, status: status, retryAfterHeader: retryAfterHeader, operation: operation)
            return
        }
        let (reason, message) = APIError.synthesizedReason(code: code)
        var text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { text = message }
        let causes = [StatusCause(reason: CauseType.unexpectedServerResponse, message: text)]
        let status = Status(
            message: message, reason: reason, details: StatusDetails(causes: causes, retryAfterSeconds: retryAfterHeader), code: code)
        self.init(code: code, status: status, retryAfterHeader: retryAfterHeader, operation: operation)
    }

    /// client-go `NewGenericServerResponse`: the reason and message for a bare HTTP code.
    static func synthesizedReason(code: Int) -> (StatusReason, String) {
        switch code {
        case 400: return (.badRequest, "the server rejected our request for an unknown reason")
        case 401: return (.unauthorized, "the server has asked for the client to provide credentials")
        case 403: return (.forbidden, "the server does not allow access to the requested resource")
        case 404: return (.notFound, "the server could not find the requested resource")
        case 405: return (.methodNotAllowed, "the server does not allow this method on the requested resource")
        case 406: return (.notAcceptable, "the server was unable to respond with a content type that the client supports")
        case 409: return (.conflict, "the server reported a conflict")
        case 410: return (.gone, "the server has asked for the client to restart the request")
        case 413: return (.requestEntityTooLarge, "the server has rejected the request because the request entity is too large")
        case 415: return (.unsupportedMediaType, "the server was unable to handle the media type requested")
        case 422: return (.invalid, "the server rejected our request due to an error in our request")
        case 429: return (.tooManyRequests, "the server has received too many requests and has asked us to try again later")
        case 500: return (.internalError, "an error on the server has prevented the request from succeeding")
        case 503: return (.serviceUnavailable, "the server is currently unable to handle the request")
        case 504: return (.serverTimeout, "the server was unable to return a response in the time allotted, but may still be processing the request")
        default: return (.unknown, "an error on the server (\(code)) has prevented the request from succeeding")
        }
    }

    public var reason: StatusReason { status.statusReason }
    public var message: String { status.message ?? "" }
    public var causes: [StatusCause] { status.details?.causes ?? [] }

    public var isNotFound: Bool { reason == .notFound || (reason == .unknown && code == 404) }
    public var isConflict: Bool { reason == .conflict || (reason == .unknown && code == 409) }
    public var isAlreadyExists: Bool { reason == .alreadyExists }
    /// 410, or a Status with reason Expired or Gone (watch ERROR events carry no HTTP code of their own).
    public var isGone: Bool { code == 410 || reason == .expired || reason == .gone }
    public var isInvalid: Bool { reason == .invalid || (reason == .unknown && code == 422) }
    public var isTooManyRequests: Bool { reason == .tooManyRequests || code == 429 }
    public var isUnauthorized: Bool { reason == .unauthorized || code == 401 }
    public var isForbidden: Bool { reason == .forbidden || code == 403 }
    public var isServerTimeout: Bool { reason == .serverTimeout || reason == .timeout || code == 504 }
    public var isInternalError: Bool { reason == .internalError || code == 500 }
    /// Seconds to wait before retrying: the Status' `retryAfterSeconds`, else the header.
    public var retryAfter: Int? { status.details?.retryAfterSeconds ?? retryAfterHeader }

    public var description: String {
        let r = reason.rawValue.isEmpty ? "" : " \(reason.rawValue)"
        return "\(operation): \(code)\(r): \(message)"
    }
}

/// Connection, TLS or stream failure.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var underlying: String
    public init(operation: String, underlying: String) {
        self.operation = operation
        self.underlying = underlying
    }
    public var description: String { "\(operation): transport error: \(underlying)" }
}

/// A 2xx body that is not what the operation expects.
public struct DecodingFailure: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var message: String
    public init(operation: String, message: String) {
        self.operation = operation
        self.message = message
    }
    public var description: String { "\(operation): cannot decode response: \(message)" }
}

/// The configuration could not be loaded or is inconsistent. For `ClientConfiguration.load`
/// it lists every source tried and why each failed.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// `(source, reason)` for every source tried, in order.
    public var attempts: [(source: String, reason: String)]

    public init(_ message: String, attempts: [(source: String, reason: String)] = []) {
        self.message = message
        self.attempts = attempts
    }

    public var description: String {
        guard !attempts.isEmpty else { return message }
        return message + "\n" + attempts.map { "  - \($0.source): \($0.reason)" }.joined(separator: "\n")
    }
}

/// Credentials could not be obtained. Never contains the secret itself.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
