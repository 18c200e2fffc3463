/// The operator's HTTP endpoints on SwiftNIO HTTP/1.1: `/healthz`, `/readyz` (all caches
/// synced) and `/metrics` (Prometheus text). Runs whether or not this instance leads.
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves health and metrics until graceful shutdown or cancellation.
public final class HealthServer: Service, Sendable {
    public let host: String
    public let requestedPort: Int
    private let metrics: MetricsRegistry
    private let ready: @Sendable () -> Bool
    private let logger: Logger
    private let channel = Mutex<(any Channel)?>(nil)
    private let bound = ChangeSignal()

    /// `ready` answers `/readyz`; port 0 picks an ephemeral port (read `port` after start).
    public init(host: String = "127.0.0.1", port: Int = 8080, metrics: MetricsRegistry, logger: Logger = Logger(label: "ferry.health"), ready: @escaping @Sendable () -> Bool) {
        self.host = host
        self.requestedPort = port
        self.metrics = metrics
        self.ready = ready
        self.logger = logger
    }

    /// The bound port, once listening.
    public var port: Int? { channel.withLock { $0?.localAddress?.port } }

    /// Waits until the server listens (or the task is cancelled).
    public func waitUntilListening() async {
        while true {
            let seen = bound.generation
            if port != nil || Task.isCancelled { return }
            await bound.wait(after: seen)
        }
    }

    public func run() async throws {
        let metrics = self.metrics
        let ready = self.ready
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(HealthHandler(metrics: metrics, ready: ready))
                }
            }
        let ch: any Channel
        do {
            ch = try await bootstrap.bind(host: host, port: requestedPort).get()
        } catch {
            throw HealthServerError(message: "binding the health and metrics server to \(host):\(requestedPort): \(error)")
        }
        channel.withLock { $0 = ch }
        bound.signal()
        logger.info("health and metrics server listening", metadata: ["address": "\(host):\(ch.localAddress?.port ?? 0)"])
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                // Only the fact of closing matters here; a close error has nothing left to clean up.
                try? await ch.closeFuture.get()
            } onCancel: {
                ch.close(promise: nil)
            }
        } onGracefulShutdown: {
            ch.close(promise: nil)
        }
    }
}

public struct HealthServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Answers one request per HTTP message; everything else is 404.
private final class HealthHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let metrics: MetricsRegistry
    let ready: @Sendable () -> Bool

    init(metrics: MetricsRegistry, ready: @escaping @Sendable () -> Bool) {
        self.metrics = metrics
        self.ready = ready
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, contentType, body): (HTTPResponseStatus, String, String)
        switch (head.method, path) {
        case (.GET, "/healthz"), (.GET, "/livez"):
            (status, contentType, body) = (.ok, "text/plain; charset=utf-8", "ok")
        case (.GET, "/readyz"):
            (status, contentType, body) = ready()
                ? (.ok, "text/plain; charset=utf-8", "ok") : (.serviceUnavailable, "text/plain; charset=utf-8", "caches not synced")
        case (.GET, "/metrics"):
            (status, contentType, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.render())
        default:
            (status, contentType, body) = (.notFound, "text/plain; charset=utf-8", "not found")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
