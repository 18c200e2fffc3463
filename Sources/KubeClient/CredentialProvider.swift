/// Supplies per-request credentials: a static token, a token file re-read as it rotates,
/// basic auth, or an exec plugin cached until its credential expires.
import Foundation
import KubeCore

/// The credentials for one request. Prints without secrets.
public struct RequestCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The `Authorization` header value, e.g. `Bearer …`.
    public var authorization: SensitiveString?
    /// A client certificate supplied at run time (by an exec plugin).
    public var clientIdentity: ClientIdentity?

    public init(authorization: SensitiveString? = nil, clientIdentity: ClientIdentity? = nil) {
        self.authorization = authorization
        self.clientIdentity = clientIdentity
    }

    public var description: String {
        "RequestCredentials(authorization: \(authorization == nil ? "none" : "[redacted]"), client certificate: \(clientIdentity != nil))"
    }
}

/// Caches credentials and refreshes them: token files every `refreshInterval`, exec
/// credentials at expiry or after the server answered 401.
public actor CredentialProvider {
    private let source: AuthSource
    private let now: @Sendable () -> Date
    private let environment: [String: String]

    private var cachedFileToken: (token: SensitiveString, readAt: Date)?
    private var cachedExec: ExecCredential?
    /// One plugin run at a time: concurrent requests share it instead of each spawning the plugin.
    private var execInFlight: Task<ExecCredential, any Error>?

    /// Number of exec plugin runs, for tests and diagnostics.
    public private(set) var execRuns = 0

    public init(source: AuthSource, environment: [String: String] = ProcessInfo.processInfo.environment, now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.environment = environment
        self.now = now
    }

    /// Whether a 401 might be cured by fetching fresh credentials.
    public nonisolated var canRefresh: Bool {
        switch source {
        case .tokenFile, .exec: return true
        case .none, .bearerToken, .basic: return false
        }
    }

    public func credentials() async throws(CredentialError) -> RequestCredentials {
        switch source {
        case .none:
            return RequestCredentials()
        case .bearerToken(let token):
            return RequestCredentials(authorization: SensitiveString("Bearer \(token.revealed)"))
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password.revealed)".utf8).base64EncodedString()
            return RequestCredentials(authorization: SensitiveString("Basic \(encoded)"))
        case .tokenFile(let path, let interval):
            let token = try fileToken(path: path, refreshInterval: interval)
            return RequestCredentials(authorization: SensitiveString("Bearer \(token.revealed)"))
        case .exec(let config, let cluster):
            let credential = try await execCredential(config: config, cluster: cluster)
            return RequestCredentials(authorization: credential.token.map { SensitiveString("Bearer \($0.revealed)") }, clientIdentity: credential.clientIdentity)
        }
    }

    /// Forgets cached credentials, e.g. after a 401, so the next call re-reads or re-runs.
    public func invalidate() {
        cachedFileToken = nil
        cachedExec = nil
    }

    private func fileToken(path: String, refreshInterval: Duration) throws(CredentialError) -> SensitiveString {
        let t = now()
        if let cached = cachedFileToken, t.timeIntervalSince(cached.readAt) < Self.seconds(refreshInterval) {
            return cached.token
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            // A rotation in progress can briefly remove the file; keep using the last good token.
            if let cached = cachedFileToken { return cached.token }
            throw CredentialError("cannot read token file \(path): \(Kubeconfig.describe(error))")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CredentialError("token file \(path) is empty") }
        cachedFileToken = (SensitiveString(token), t)
        return SensitiveString(token)
    }

    private func execCredential(config: Kubeconfig.ExecConfig, cluster: ExecClusterInfo) async throws(CredentialError) -> ExecCredential {
        if let cached = cachedExec, cached.isValid(at: now()) { return cached }
        let task: Task<ExecCredential, any Error>
        if let inFlight = execInFlight {
            task = inFlight
        } else {
            let plugin = ExecCredentialPlugin(config: config, cluster: cluster, baseEnvironment: environment)
            task = Task { try await plugin.run() }
            execInFlight = task
            execRuns += 1
        }
        do {
            let credential = try await task.value
            if execInFlight == task {
                execInFlight = nil
                cachedExec = credential
            }
            return credential
        } catch {
            if execInFlight == task { execInFlight = nil }
            if let e = error as? CredentialError { throw e }
            throw CredentialError("exec plugin \"\(config.command)\": \(error)")
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
