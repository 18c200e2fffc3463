/// A raw HTTP(S) client for driving the embedded server in tests (AsyncHTTPClient), so these
/// tests do not depend on the production client being written alongside.
import AsyncHTTPClient
import Foundation
import KubeAPIServer
import KubeCore
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

struct TestResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

final class TestHTTPClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    let token: String?
    let server: EmbeddedAPIServer

    init(_ server: EmbeddedAPIServer, token: String? = nil, useToken: Bool = true, clientCertificate: (certificatePEM: String, privateKeyPEM: String)? = nil) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = server.certificateAuthority {
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(ca.certificatePEM.utf8), format: .pem)])
        }
        if let clientCertificate {
            tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(clientCertificate.certificatePEM.utf8), format: .pem))]
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientCertificate.privateKeyPEM.utf8), format: .pem))
        }
        var config = HTTPClient.Configuration(tlsConfiguration: tls)
        config.timeout = .init(connect: .seconds(5), read: .seconds(60))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        baseURL = server.url
        self.server = server
        self.token = useToken ? (token ?? server.bearerToken) : nil
    }

    /// Ends open watches first: the HTTP client only notices a cancelled streaming body when
    /// data arrives, so without this its shutdown waits for the stream's grace period.
    func close() async throws {
        server.faults.dropWatches()
        closed.withLock { $0 = true }
        try await http.shutdown()
    }

    private let closed = Mutex(false)

    /// A test that throws before `close()` (a timed-out wait) must fail, not crash the whole
    /// run: an HTTPClient released without shutdown traps in debug builds.
    deinit {
        if !closed.withLock({ $0 }) {
            server.faults.dropWatches()
            try? http.syncShutdown()
        }
    }

    func request(_ method: NIOHTTP1.HTTPMethod, _ path: String, json: JSONValue? = nil, body: [UInt8]? = nil,
                 contentType: String? = nil, headers: [(String, String)] = []) async throws -> TestResponse {
        var req = HTTPClientRequest(url: baseURL + path)
        req.method = method
        if let token { req.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        let bytes = body ?? json?.serializedBytes()
        if let bytes {
            req.body = .bytes(ByteBuffer(bytes: bytes))
            req.headers.add(name: "Content-Type", value: contentType ?? "application/json")
        }
        let response = try await http.execute(req, timeout: .seconds(30))
        var collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return TestResponse(status: Int(response.status.code), headers: response.headers,
                            body: collected.readBytes(length: collected.readableBytes) ?? [])
    }

    func get(_ path: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await request(.GET, path, headers: headers)
    }
    func post(_ path: String, _ json: JSONValue) async throws -> TestResponse { try await request(.POST, path, json: json) }
    func put(_ path: String, _ json: JSONValue) async throws -> TestResponse { try await request(.PUT, path, json: json) }
    func delete(_ path: String, _ json: JSONValue? = nil) async throws -> TestResponse { try await request(.DELETE, path, json: json) }
    func patch(_ path: String, _ json: JSONValue, type: String = "application/merge-patch+json") async throws -> TestResponse {
        try await request(.PATCH, path, json: json, contentType: type)
    }

    /// Reads a whole watch stream (use `timeoutSeconds` so it ends) into events.
    func watchAll(_ path: String) async throws -> [JSONValue] {
        let r = try await get(path)
        return r.text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    /// Starts a watch in the background; events accumulate in the returned recorder.
    func startWatch(_ path: String) -> WatchRecorder {
        let recorder = WatchRecorder()
        let http = self.http, url = baseURL + path, token = self.token
        let task = Task {
            var req = HTTPClientRequest(url: url)
            if let token { req.headers.add(name: "Authorization", value: "Bearer \(token)") }
            do {
                let response = try await http.execute(req, timeout: .seconds(120))
                var pending: [UInt8] = []
                for try await chunk in response.body {
                    pending += chunk.readableBytesView
                    while let nl = pending.firstIndex(of: 0x0A) {
                        let line = Array(pending[..<nl])
                        pending.removeFirst(nl + 1)
                        if let event = try? JSONValue.parse(line) { recorder.append(event) }
                    }
                }
            } catch {}
            recorder.finish()
        }
        recorder.setTask(task)
        return recorder
    }
}

final class WatchRecorder: Sendable {
    private let state = Mutex<(events: [JSONValue], ended: Bool)>(([], false))
    private let task = Mutex<Task<Void, Never>?>(nil)

    func append(_ e: JSONValue) { state.withLock { $0.events.append(e) } }
    func finish() { state.withLock { $0.ended = true } }
    func setTask(_ t: Task<Void, Never>) { task.withLock { $0 = t } }
    var events: [JSONValue] { state.withLock { $0.events } }
    var ended: Bool { state.withLock { $0.ended } }
    /// `TYPE name` for each event, for compact assertions.
    var summary: [String] { events.map { "\($0["type"].stringValue ?? "") \($0["object"].name ?? "")" } }
    func stop() { task.withLock { $0 }?.cancel() }
}
