/// Settings of the embedded API server: where it listens, how clients authenticate,
/// where state persists and how much watch history it keeps.

public struct APIServerConfiguration: Sendable {
    /// Interface to bind; loopback unless a caller deliberately asks for more.
    public var host: String
    /// TCP port; 0 picks an ephemeral one (read it back from `EmbeddedAPIServer.port`).
    public var port: Int
    /// HTTPS with a generated CA and serving certificate (SANs 127.0.0.1, localhost).
    public var tls: Bool
    /// The accepted bearer token; nil generates a random one.
    public var bearerToken: String?
    /// Directory the state is persisted to so a restarted server has the same objects.
    public var dataDirectory: String?
    /// Watch events retained for resuming; a watch from an older resourceVersion gets 410 Expired.
    public var watchHistorySize: Int
    /// Request bodies larger than this get 413 RequestEntityTooLarge.
    public var maxRequestBodyBytes: Int
    /// How often watches that asked for bookmarks receive one.
    public var bookmarkInterval: Duration
    /// Events a watcher may have queued before the server closes it as too slow.
    public var watcherBufferSize: Int
    /// Keep every authenticated resource request in memory (`EmbeddedAPIServer.auditRecords()`),
    /// e.g. to check a client's requests against RBAC rules; off by default, as the log only grows.
    public var auditRequests: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        tls: Bool = true,
        bearerToken: String? = nil,
        dataDirectory: String? = nil,
        watchHistorySize: Int = 10_000,
        maxRequestBodyBytes: Int = 3 * 1024 * 1024,
        bookmarkInterval: Duration = .seconds(1),
        watcherBufferSize: Int = 10_000,
        auditRequests: Bool = false
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.bearerToken = bearerToken
        self.dataDirectory = dataDirectory
        self.watchHistorySize = watchHistorySize
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.bookmarkInterval = bookmarkInterval
        self.watcherBufferSize = watcherBufferSize
        self.auditRequests = auditRequests
    }
}
