/// Running an exec credential plugin (`client.authentication.k8s.io` v1 / v1beta1) and
/// decoding the `ExecCredential` it prints.
import Foundation
import KubeCore

/// What an exec plugin returned: a bearer token and/or a client certificate, with an
/// optional expiry. Prints without its secrets.
public struct ExecCredential: Sendable, Hashable, CustomStringConvertible {
    public var token: SensitiveString?
    public var clientIdentity: ClientIdentity?
    public var expirationTimestamp: Date?

    public init(token: SensitiveString? = nil, clientIdentity: ClientIdentity? = nil, expirationTimestamp: Date? = nil) {
        self.token = token
        self.clientIdentity = clientIdentity
        self.expirationTimestamp = expirationTimestamp
    }

    public var description: String {
        "ExecCredential(token: \(token == nil ? "none" : "[redacted]"), client certificate: \(clientIdentity != nil), expires: \(expirationTimestamp.map { KubeTime.format($0) } ?? "never"))"
    }

    public func isValid(at now: Date) -> Bool {
        guard let expirationTimestamp else { return true }
        return now < expirationTimestamp
    }
}

/// Runs one configured plugin. Never puts stdout (it holds the credential) in an error.
public struct ExecCredentialPlugin: Sendable {
    public var config: Kubeconfig.ExecConfig
    public var cluster: ExecClusterInfo
    /// The environment the plugin inherits (the configured `env` entries are added on top).
    public var baseEnvironment: [String: String]

    public init(config: Kubeconfig.ExecConfig, cluster: ExecClusterInfo, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.cluster = cluster
        self.baseEnvironment = baseEnvironment
    }

    var apiVersion: String { config.apiVersion ?? "client.authentication.k8s.io/v1" }

    /// `KUBERNETES_EXEC_INFO`: the ExecCredential input. The client never hands the plugin a
    /// terminal (an operator runs unattended), so `interactive` is always false.
    public func execInfo() -> JSONValue {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo == true {
            var c: JSONValue = ["server": .string(cluster.server)]
            if let ca = cluster.certificateAuthorityData { c["certificate-authority-data"] = .string(ca) }
            if cluster.insecureSkipTLSVerify { c["insecure-skip-tls-verify"] = true }
            if let name = cluster.tlsServerName { c["tls-server-name"] = .string(name) }
            spec["cluster"] = c
        }
        return ["apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": spec]
    }

    /// Runs the plugin and decodes its output.
    public func run() async throws(CredentialError) -> ExecCredential {
        let name = "exec plugin \"\(config.command)\""
        if config.interactiveMode == "Always" {
            throw CredentialError("\(name) requires interactive mode (interactiveMode: Always), but the client has no terminal")
        }
        var env = baseEnvironment
        for e in config.env ?? [] { env[e.name] = e.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo().serialized()
        guard let executable = Self.findExecutable(config.command, path: env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            let hint = config.installHint.map { "\n\($0)" } ?? ""
            throw CredentialError("\(name): executable not found\(hint)")
        }
        let result: ProcessResult
        do {
            result = try await ProcessResult.run(executable: executable, arguments: config.args ?? [], environment: env)
        } catch {
            throw CredentialError("\(name): cannot start: \(error)")
        }
        let stderr = Self.excerpt(result.stderr)
        guard result.exitCode == 0 else {
            throw CredentialError("\(name) failed with exit code \(result.exitCode)\(stderr.isEmpty ? "" : ": \(stderr)")")
        }
        return try decode(result.stdout, stderr: stderr)
    }

    /// Decodes plugin stdout; errors describe the problem, never the content.
    public func decode(_ stdout: [UInt8], stderr: String = "") throws(CredentialError) -> ExecCredential {
        let name = "exec plugin \"\(config.command)\""
        let suffix = stderr.isEmpty ? "" : " (stderr: \(stderr))"
        guard let json = try? JSONValue.parse(stdout), json.objectValue != nil else {
            throw CredentialError("\(name): output is not a JSON ExecCredential\(suffix)")
        }
        guard json.kind == "ExecCredential" else { throw CredentialError("\(name): output has kind \"\(json.kind ?? "")\", want ExecCredential\(suffix)") }
        guard json.apiVersion == apiVersion else {
            throw CredentialError("\(name) is configured for apiVersion \(apiVersion) but returned \"\(json.apiVersion ?? "")\"\(suffix)")
        }
        let status = json["status"]
        guard status.objectValue != nil else { throw CredentialError("\(name): ExecCredential has no status\(suffix)") }
        var credential = ExecCredential()
        if let t = status["expirationTimestamp"].stringValue {
            guard let date = KubeTime.parse(t) else { throw CredentialError("\(name): invalid expirationTimestamp \"\(t)\"") }
            credential.expirationTimestamp = date
        }
        if let token = status["token"].stringValue, !token.isEmpty { credential.token = SensitiveString(token) }
        let cert = status["clientCertificateData"].stringValue ?? ""
        let key = status["clientKeyData"].stringValue ?? ""
        switch (cert.isEmpty, key.isEmpty) {
        case (false, false): credential.clientIdentity = ClientIdentity(certificatePEM: Array(cert.utf8), privateKeyPEM: SensitiveString(key))
        case (true, true): break
        case (false, true): throw CredentialError("\(name): clientCertificateData given without clientKeyData")
        case (true, false): throw CredentialError("\(name): clientKeyData given without clientCertificateData")
        }
        guard credential.token != nil || credential.clientIdentity != nil else {
            throw CredentialError("\(name): ExecCredential status has neither a token nor a client certificate\(suffix)")
        }
        return credential
    }

    static func findExecutable(_ command: String, path: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for dir in path.split(separator: ":") {
            let candidate = (String(dir) as NSString).appendingPathComponent(command)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func excerpt(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes.prefix(2048), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return bytes.count > 2048 ? text + "…" : text
    }
}

/// A finished child process: exit code and captured output.
struct ProcessResult: Sendable {
    var exitCode: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]

    /// Runs a process to completion off the cooperative pool (reading pipes and waiting block a thread).
    static func run(executable: String, arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProcessResult, any Error>) in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = environment
                process.standardInput = FileHandle.nullDevice
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                // Drain stderr on another thread so neither pipe can fill up and block the child.
                let group = DispatchGroup()
                let errBox = DataBox()
                group.enter()
                DispatchQueue.global().async {
                    errBox.set(err.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: ProcessResult(exitCode: process.terminationStatus, stdout: [UInt8](stdout), stderr: [UInt8](errBox.get())))
            }
        }
    }
}

/// Hands stderr bytes from the draining thread to the waiting one.
private final class DataBox: @unchecked Sendable {
    // Safe: guarded by `lock`; written once by the drain thread, read after `group.wait()`.
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.withLock { data = d } }
    func get() -> Data { lock.withLock { data } }
}
