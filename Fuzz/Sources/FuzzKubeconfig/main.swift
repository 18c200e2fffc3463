/// Fuzzes kubeconfig parsing and context resolution, without file or network I/O: file
/// references are dropped before resolving (only `*-data` fields are read), and exec
/// plugins are only validated, never run.
///
/// Invariants (documented in Sources/KubeClient):
/// - `resolvePaths(relativeTo:)` makes every file reference absolute.
/// - `merge` keeps the first file's entries: merging a config with itself changes nothing.
/// - A resolved configuration has a server and a namespace (`default` when none is set).
/// - Tokens and passwords never print (SensitiveString): not in a configuration's
///   description, not in the kubeconfig's, not in an error message.
import Foundation
import KubeClient
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard var config = try? Kubeconfig.parse(text, source: "fuzz") else { return 0 }
    require(Kubeconfig.merge([config, config]) == config, "merging a kubeconfig with itself changed it")

    var resolved = config
    resolved.resolvePaths(relativeTo: "/fuzz/dir")
    for cluster in resolved.clusters.values { requireAbsolute(cluster.certificateAuthority) }
    for user in resolved.users.values {
        requireAbsolute(user.clientCertificate)
        requireAbsolute(user.clientKey)
        requireAbsolute(user.tokenFile)
        if let command = user.exec?.command, command.contains("/") { requireAbsolute(command) }
    }

    // No file reads: drop file references. Secrets become a marker the input does not hold,
    // so finding it in printed text means a secret leaked.
    let secret = "s3cr3t-7f1e9b2c"
    let canCheckLeaks = !text.contains(secret)
    for (name, var cluster) in config.clusters {
        cluster.certificateAuthority = nil
        config.clusters[name] = cluster
    }
    for (name, var user) in config.users {
        user.clientCertificate = nil
        user.clientKey = nil
        if user.token?.isEmpty == false { user.token = SensitiveString(secret) }
        if user.password?.isEmpty == false { user.password = SensitiveString(secret) }
        config.users[name] = user
    }
    if canCheckLeaks { require(!String(describing: config).contains(secret), "a kubeconfig's description shows a secret") }

    // The current context, a few named ones (bounded), and one that does not exist.
    let names: [String?] = [nil, "missing-context"] + config.contexts.keys.sorted().prefix(8).map { $0 }
    for name in names {
        do {
            let client = try ClientConfiguration(kubeconfig: config, context: name, namespace: nil, source: "fuzz")
            require(!client.server.isEmpty || config.clusters.values.contains { $0.server == "/" }, "resolved an empty server")
            require(!client.namespace.isEmpty, "resolved an empty namespace")
            if canCheckLeaks { require(!client.description.contains(secret), "a configuration's description shows a secret") }
        } catch {
            if canCheckLeaks { require(!error.description.contains(secret), "an error message shows a secret") }
        }
    }
    return 0
}

func requireAbsolute(_ path: String?) {
    guard let path, !path.isEmpty else { return }
    require(path.hasPrefix("/"), "resolvePaths left a relative path: \(path)")
}

#if FERRY_FUZZING
runLibFuzzer(fuzz)  // scripts/fuzz.sh's build; see FuzzSupport
#endif
