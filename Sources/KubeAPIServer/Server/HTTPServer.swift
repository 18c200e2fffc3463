/// The HTTP/1.1 (optionally TLS) listener on SwiftNIO: reads whole requests, hands them
/// to the API handler, and writes complete or streamed (chunked) responses with keep-alive.
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

typealias RequestHandler = @Sendable (ServerRequest) async -> ServerResponse

final class HTTPServer: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private let serverChannel: NIOAsyncChannel<(Connection, any Channel), Never>
    private let maxBodyBytes: Int
    private let tls: Bool
    private let openConnections = Mutex<[ObjectIdentifier: any Channel]>([:])
    let port: Int

    /// Binds the listener; `run(handler:)` serves it.
    init(host: String, port: Int, sslContext: NIOSSLContext?, maxBodyBytes: Int) async throws {
        self.maxBodyBytes = maxBodyBytes
        self.tls = sslContext != nil
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        do {
            serverChannel = try await bootstrap.bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    let conn = try Connection(wrappingChannelSynchronously: channel)
                    return (conn, channel)
                }
            }
        } catch {
            throw APIServerError(message: "binding the API server to \(host):\(port): \(error)")
        }
        self.port = serverChannel.channel.localAddress?.port ?? port
    }

    /// Accepts connections until the listener closes or the task is cancelled.
    func run(handler: @escaping RequestHandler) async {
        await withDiscardingTaskGroup { group in
            do {
                try await serverChannel.executeThenClose { inbound in
                    for try await (connection, channel) in inbound {
                        group.addTask { await self.serve(connection, channel: channel, handler: handler) }
                    }
                }
            } catch {
                // The listener closed (shutdown) or failed; connections end with the group.
            }
            group.cancelAll()
        }
    }

    /// Closes the listener and every open connection.
    func close() async {
        try? await serverChannel.channel.close()
        let channels = openConnections.withLock { Array($0.values) }
        for channel in channels { try? await channel.close() }
    }

    private func serve(_ connection: Connection, channel: any Channel, handler: RequestHandler) async {
        let id = ObjectIdentifier(channel)
        openConnections.withLock { $0[id] = channel }
        defer { openConnections.withLock { _ = $0.removeValue(forKey: id) } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                var tooLarge = false
                var clientCertificateChecked = false
                var hasClientCertificate = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body = []
                        tooLarge = false
                    case .body(let buffer):
                        if body.count + buffer.readableBytes > maxBodyBytes {
                            tooLarge = true
                            body = []
                        } else if !tooLarge {
                            body.append(contentsOf: buffer.readableBytesView)
                        }
                    case .end:
                        guard let h = head else { continue }
                        if tls && !clientCertificateChecked {
                            clientCertificateChecked = true
                            hasClientCertificate = await Self.peerPresentedCertificate(channel)
                        }
                        let response: ServerResponse
                        if tooLarge {
                            response = .error(.tooLarge())
                        } else {
                            let request = ServerRequest(
                                method: h.method.rawValue, uri: h.uri,
                                headers: h.headers.map { ($0.name, $0.value) }, body: body,
                                hasVerifiedClientCertificate: hasClientCertificate,
                                connectionClosed: channel.closeFuture)
                            response = await handler(request)
                        }
                        let keepAlive = h.isKeepAlive
                        try await Self.write(response, version: h.version, keepAlive: keepAlive, to: outbound)
                        head = nil
                        body = []
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // Client went away mid-request or mid-stream; nothing to answer.
        }
    }

    private static func write(_ response: ServerResponse, version: HTTPVersion, keepAlive: Bool,
                              to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        var headers = HTTPHeaders(response.headers)
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status)
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
            try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: headers)))
            if !bytes.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes)))) }
            try await outbound.write(.end(nil))
        case .streaming(let produce):
            headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: version, status: status, headers: headers)))
            await produce { chunk in try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) }
            try await outbound.write(.end(nil))
        }
    }

    /// With `optionalVerification`, a presented certificate has already been verified against our CA
    /// by the handshake, so its presence alone authenticates.
    private static func peerPresentedCertificate(_ channel: any Channel) async -> Bool {
        do {
            return try await channel.nioSSL_peerCertificate().get() != nil
        } catch {
            return false
        }
    }
}

public struct APIServerError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
