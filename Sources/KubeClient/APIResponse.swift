/// A successful answer from the API server, fully read.
import KubeCore

/// Status code, headers and body of a 2xx response.
public struct APIResponse: Sendable {
    public var statusCode: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(statusCode: Int, headers: [(name: String, value: String)] = [], body: [UInt8]) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as JSON; `operation` names the request in the error.
    public func json(operation: String) throws(KubeClientError) -> JSONValue {
        do {
            return try JSONValue.parse(body)
        } catch {
            throw .decoding(DecodingFailure(operation: operation, message: "invalid JSON: \(error)"))
        }
    }
}
