/// `ferry apiserver`: the embedded Kubernetes-compatible API server, standalone.
import ArgumentParser
import Foundation
import KubeAPIServer

struct APIServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Run the embedded Kubernetes-compatible API server (for development and tests).",
        discussion: "Prints one line containing 'ready' when it serves. Stop it with Ctrl-C or SIGTERM."
    )

    @OptionGroup var server: EmbeddedServerOptions

    @Flag(help: "Serve plain HTTP instead of HTTPS.")
    var insecureHTTP = false

    @Option(help: "Bearer token clients must present (random when omitted).")
    var token: String?

    func run() async throws {
        var configuration = server.configuration
        configuration.tls = !insecureHTTP
        configuration.bearerToken = token
        let server = try EmbeddedAPIServer(configuration: configuration)
        try await server.start()
        try server.writeKubeconfig(to: self.server.kubeconfig)
        print("ferry apiserver ready at \(server.url); kubeconfig written to \(self.server.kubeconfig)")
        fflush(nil)  // the ready line must reach a pipe at once
        await waitForTerminationSignal()
        try await server.shutdown()
    }
}

/// Where the embedded API server listens and keeps its objects (`ferry apiserver`, `ferry dev`).
struct EmbeddedServerOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 6443

    @Option(help: "Where to write a kubeconfig for kubectl and the operator.")
    var kubeconfig = "ferry-dev.kubeconfig"

    @Option(name: .customLong("data-dir"), help: "Persist objects in this directory so they survive a restart.")
    var dataDir: String?

    var configuration: APIServerConfiguration {
        var configuration = APIServerConfiguration()
        configuration.host = address
        configuration.port = port
        configuration.dataDirectory = dataDir
        return configuration
    }
}
