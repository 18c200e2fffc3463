/// The Kubernetes API client: one HTTP client, credentials, rate limiting and retries
/// around every request. Nothing here knows which API server it talks to.
import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Talks to one API server. Safe to share between tasks; call `shutdown()` when done.
///
/// Guarantees: every request passes the rate limiter; 429/5xx on idempotent requests and
/// transport errors on GET are retried per `configuration.retry`; a 401 with refreshable
/// credentials (token file, exec plugin) is retried once with fresh credentials.
/// Logs method, path and status code only — never bodies or headers.
public final class KubernetesClient: Sendable {
    public let configuration: ClientConfiguration
    let http: HTTPClient
    let credentialProvider: CredentialProvider
    let rateLimiter: RateLimiter<ContinuousClock>
    let logger: Logger
    let tlsOptions: TLSOptions?
    /// Largest non-watch response body accepted (a list of many thousands of objects fits).
    let maxResponseBytes = 1 << 30

    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "ferry.kubeclient")) throws(KubeClientError) {
        self.configuration = configuration
        self.logger = logger
        let server = configuration.server
        guard let url = URL(string: server), let scheme = url.scheme, scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty else {
            throw .configuration(ConfigurationError("\(configuration.source): invalid server URL \"\(server)\""))
        }
        var httpConfig = HTTPClient.Configuration()
        // Watches stay open for minutes with no data; the per-request deadline bounds other calls.
        httpConfig.timeout = HTTPClient.Configuration.Timeout(connect: Self.timeAmount(configuration.connectTimeout), read: nil)
        // Each open watch holds an HTTP/1.1 connection for its lifetime; with the library's
        // default of 8 per host, eight informers would starve every other request.
        httpConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConnectionsPerHost
        if scheme == "https" {
            if let name = configuration.tls.serverName, !name.isEmpty, name != host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) {
                throw .configuration(ConfigurationError("\(configuration.source): tls-server-name \"\(name)\" differs from the server host \"\(host)\"; this is not supported"))
            }
            do {
                httpConfig.tlsConfiguration = try configuration.tls.makeTLSConfiguration()
            } catch {
                throw .configuration(ConfigurationError("\(configuration.source): \(error.message)"))
            }
            tlsOptions = configuration.tls
        } else {
            tlsOptions = nil
        }
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfig, backgroundActivityLogger: logger)
        self.credentialProvider = CredentialProvider(source: configuration.auth)
        self.rateLimiter = RateLimiter(qps: configuration.qps, burst: configuration.burst)
    }

    /// Loads a configuration (see `ClientConfiguration.load`) and builds a client for it.
    public convenience init(kubeconfigPath: String? = nil, context: String? = nil, namespace: String? = nil) throws(KubeClientError) {
        let config: ClientConfiguration
        do {
            config = try ClientConfiguration.load(kubeconfigPath: kubeconfigPath, context: context, namespace: namespace)
        } catch {
            throw .configuration(error)
        }
        try self.init(configuration: config)
    }

    /// Closes connections. Open watches end with a transport error.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// The default namespace of this client's configuration.
    public var defaultNamespace: String { configuration.namespace }

    /// Sends one request and reads the whole 2xx response; non-2xx answers throw `.api`.
    public func send(_ request: APIRequest) async throws(KubeClientError) -> APIResponse {
        let operation = "\(request.method.rawValue) \(request.path)"
        let response = try await execute(request, watch: false)
        do {
            let body = try await response.body.collect(upTo: maxResponseBytes)
            return APIResponse(statusCode: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Array(body.readableBytesView))
        } catch {
            if Task.isCancelled { throw .cancelled(operation: operation) }
            throw .transport(TransportError(operation: operation, underlying: "reading the response: \(error)"))
        }
    }

    /// Runs the retry loop and returns a 2xx response whose body is still to be read.
    func execute(_ request: APIRequest, watch: Bool) async throws(KubeClientError) -> HTTPClientResponse {
        let operation = "\(request.method.rawValue) \(request.path)"
        var attempt = 0
        var refreshedAfterUnauthorized = false
        while true {
            attempt += 1
            do {
                try await rateLimiter.acquire()
            } catch {
                throw .cancelled(operation: operation)
            }
            let credentials: RequestCredentials
            do {
                credentials = try await credentialProvider.credentials()
            } catch {
                throw .credentials(CredentialError("\(operation): \(error.message)"))
            }
            let httpRequest = try makeHTTPRequest(request, credentials: credentials, operation: operation)
            let deadline: NIODeadline
            if watch {
                // The server ends a watch after timeoutSeconds; allow for slack before giving up.
                deadline = request.query.first { $0.0 == "timeoutSeconds" }.flatMap { Int64($0.1) }.map { .now() + .seconds($0 + 30) } ?? .distantFuture
            } else {
                deadline = .now() + Self.timeAmount(configuration.requestTimeout)
            }

            let response: HTTPClientResponse
            do {
                response = try await http.execute(httpRequest, deadline: deadline, logger: logger)
            } catch {
                if Task.isCancelled { throw .cancelled(operation: operation) }
                logger.debug("request failed", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.path)", "attempt": "\(attempt)"])
                if let delay = configuration.retry.delay(method: request.method, attempt: attempt, outcome: .transportError) {
                    try await pause(delay, operation: operation)
                    continue
                }
                throw .transport(TransportError(operation: operation, underlying: String(describing: error)))
            }

            let code = Int(response.status.code)
            logger.debug("request", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.path)", "code": "\(code)", "attempt": "\(attempt)"])
            if (200..<300).contains(code) { return response }

            let body: [UInt8]
            do {
                body = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            } catch {
                // An error body we cannot read still has a code; synthesize the Status from it.
                body = []
            }
            let retryAfterHeader = response.headers.first(name: "Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let apiError = APIError(code: code, body: body, retryAfterHeader: retryAfterHeader, operation: operation)

            if code == 401, credentialProvider.canRefresh, !refreshedAfterUnauthorized {
                refreshedAfterUnauthorized = true
                await credentialProvider.invalidate()
                continue
            }
            if let delay = configuration.retry.delay(method: request.method, attempt: attempt, outcome: .response(code: code, retryAfterSeconds: apiError.retryAfter)) {
                logger.info("retrying", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.path)", "code": "\(code)", "attempt": "\(attempt)", "delay": "\(delay)"])
                try await pause(delay, operation: operation)
                continue
            }
            throw .api(apiError)
        }
    }

    static func timeAmount(_ d: Duration) -> TimeAmount {
        .nanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }

    private func pause(_ delay: Duration, operation: String) async throws(KubeClientError) {
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw .cancelled(operation: operation)
        }
    }

    private func makeHTTPRequest(_ request: APIRequest, credentials: RequestCredentials, operation: String) throws(KubeClientError) -> HTTPClientRequest {
        var r = HTTPClientRequest(url: configuration.server + request.pathAndQuery)
        r.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        r.headers.add(name: "Accept", value: "application/json")
        r.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let auth = credentials.authorization { r.headers.add(name: "Authorization", value: auth.revealed) }
        if let body = request.body {
            r.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            r.body = .bytes(ByteBuffer(bytes: body))
        }
        if let identity = credentials.clientIdentity, let tlsOptions {
            do {
                r.tlsConfiguration = try tlsOptions.makeTLSConfiguration(identity: identity)
            } catch {
                throw .credentials(CredentialError("\(operation): exec plugin client certificate: \(error.message)"))
            }
        }
        return r
    }
}
