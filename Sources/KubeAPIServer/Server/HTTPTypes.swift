/// The server's view of one HTTP exchange, independent of SwiftNIO: a fully read request
/// and a response that is either a complete body or a stream of chunks (watch).
import Foundation
import NIOCore

struct ServerRequest: Sendable {
    var method: String
    /// Path segments, percent-decoded, without empty segments.
    var segments: [String]
    var rawPath: String
    var query: [String: [String]]
    var headers: [(String, String)]
    var body: [UInt8]
    /// Whether the TLS peer presented a certificate our CA verified.
    var hasVerifiedClientCertificate: Bool
    /// Completes when the connection closes; a watch ends then.
    var connectionClosed: EventLoopFuture<Void>?

    init(method: String, uri: String, headers: [(String, String)], body: [UInt8], hasVerifiedClientCertificate: Bool,
         connectionClosed: EventLoopFuture<Void>?) {
        self.method = method
        self.headers = headers
        self.body = body
        self.hasVerifiedClientCertificate = hasVerifiedClientCertificate
        self.connectionClosed = connectionClosed
        let (path, queryString) = uri.firstIndex(of: "?").map { (String(uri[..<$0]), String(uri[uri.index(after: $0)...])) } ?? (uri, "")
        rawPath = path
        segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        var query: [String: [String]] = [:]
        for pair in queryString.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decodeQueryComponent(String(kv[0]))
            let value = kv.count > 1 ? Self.decodeQueryComponent(String(kv[1])) : ""
            query[key, default: []].append(value)
        }
        self.query = query
    }

    private static func decodeQueryComponent(_ s: String) -> String {
        let plusDecoded = s.replacingOccurrences(of: "+", with: " ")
        return plusDecoded.removingPercentEncoding ?? plusDecoded
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    func queryValue(_ name: String) -> String? { query[name]?.last }

    func queryBool(_ name: String) -> Bool {
        guard let v = queryValue(name) else { return false }
        return v == "true" || v == "1" || v.isEmpty
    }
}

typealias ChunkWriter = @Sendable ([UInt8]) async throws -> Void

enum ResponseBody: Sendable {
    case bytes([UInt8])
    /// A producer writing chunks, each flushed at once; its return ends the response.
    /// It runs inside the connection's task, so it is cancelled when the server shuts down.
    case streaming(@Sendable (_ write: @escaping ChunkWriter) async -> Void)
}

struct ServerResponse: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: ResponseBody

    static func json(_ value: [UInt8], status: Int = 200) -> ServerResponse {
        ServerResponse(status: status, headers: [("Content-Type", "application/json")], body: .bytes(value))
    }

    static func text(_ value: String, status: Int = 200) -> ServerResponse {
        ServerResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(value.utf8)))
    }

    static func error(_ error: APIError) -> ServerResponse {
        ServerResponse(status: error.code, headers: [("Content-Type", "application/json")] + error.headers, body: .bytes(error.body))
    }
}
