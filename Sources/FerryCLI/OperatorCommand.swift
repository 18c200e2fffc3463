/// `ferry operator`: the controller manager against a cluster — informers, leader
/// election, health and metrics endpoints, and the controllers registered so far.
import ArgumentParser
import FerryAPI
import FerryControllers
import Foundation
import KubeClient
import KubeRuntime
import Logging
import ServiceLifecycle
import UnixSignals

struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Run the Ferry operator against a cluster (in-cluster config when no kubeconfig is found)."
    )

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "kubeconfig context to use.")
    var context: String?

    @Option(name: .customLong("namespace"), help: "Namespace to watch; repeat for several (default: all namespaces).")
    var namespaces: [String] = []

    @Option(name: .customLong("leader-elect"), help: "Elect a leader on a coordination.k8s.io Lease so only one replica reconciles.")
    var leaderElect = true

    @Option(name: .customLong("leader-election-namespace"), help: "Namespace of the leader election Lease (default: $POD_NAMESPACE, else the client's namespace).")
    var leaderElectionNamespace: String?

    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long a candidate waits after the leader's last renew before taking over (Go duration).")
    var leaderElectLeaseDuration = "15s"

    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader keeps trying to renew before it stops leading (Go duration).")
    var leaderElectRenewDeadline = "10s"

    @Option(name: .customLong("leader-elect-retry-period"), help: "How often the leader renews and candidates try to acquire (Go duration).")
    var leaderElectRetryPeriod = "2s"

    @Option(name: .customLong("metrics-bind-address"), help: "host:port for /metrics; 0 disables.")
    var metricsBindAddress = "127.0.0.1:8080"

    @Option(name: .customLong("health-probe-bind-address"), help: "host:port for /healthz and /readyz; 0 disables.")
    var healthProbeBindAddress = "127.0.0.1:8081"

    @Option(name: .customLong("worker-image"), help: "Image of the worker pods' init and orchestrator containers (the operator's own image).")
    var workerImage = "ferry:latest"

    @Option(name: .customLong("worker-restricted-security"), help: "Give worker pods the restricted Pod Security profile (a Connection's podTemplate.securityContext still overrides it).")
    var workerRestrictedSecurity = true

    @OptionGroup var controllerFlags: ControllerFlags

    @Option(name: .customLong("log-format"), help: "json (one object per line: time, level, logger, msg, then fields) or text.")
    var logFormat: LogFormat = .json

    /// Bad leader election durations fail at start-up, before anything connects.
    func validate() throws {
        if leaderElect { _ = try leaderElection(namespace: "default", identity: "validation") }
    }

    func run() async throws {
        logFormat.bootstrap()
        var logger = Logger(label: "ferry.operator")
        logger.logLevel = .info
        let settings = try controllerFlags.settings()
        var configuration: ClientConfiguration
        do {
            configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig, context: context)
        } catch {
            throw ValidationError(error.description)
        }
        try controllerFlags.clientRateFlags.apply(to: &configuration)
        let client = try KubernetesClient(configuration: configuration)
        let health = try BindAddress.parse(healthProbeBindAddress, flag: "--health-probe-bind-address")
        let metricsAddress = try BindAddress.parse(metricsBindAddress, flag: "--metrics-bind-address")

        var election: LeaderElectionConfiguration?
        if leaderElect {
            let namespace = leaderElectionNamespace ?? ProcessInfo.processInfo.environment["POD_NAMESPACE"] ?? configuration.namespace
            let host = ProcessInfo.processInfo.hostName
            election = try leaderElection(namespace: namespace, identity: "\(host)_\(UUID().uuidString.prefix(8).lowercased())")
        }
        let manager = ControllerManager(
            client: client,
            options: ControllerManager.Options(leaderElection: election, healthHost: health?.host, healthPort: health?.port ?? 0),
            logger: logger)
        // One controller per watched namespace, or one over all namespaces.
        let defaults = try controllerFlags.workerDefaultsFlags.defaults(orchestratorImage: workerImage, restrictedSecurityContext: workerRestrictedSecurity)
        for namespace in namespaces.isEmpty ? [nil] : namespaces.map(Optional.some) {
            ControllerFlags.register(on: manager, settings, defaults: defaults, namespace: namespace)
        }
        var services: [any Service] = [manager]
        if let metricsAddress, metricsAddress != health {
            // A separate listener when metrics and probes are bound apart (the usual Deployment layout).
            services.append(HealthServer(host: metricsAddress.host, port: metricsAddress.port, metrics: manager.metrics) { manager.isReady })
        }
        logger.info("starting operator", metadata: [
            "server": "\(configuration.server)",
            "namespaces": "\(namespaces.isEmpty ? "all" : namespaces.joined(separator: ","))",
            "leaderElection": "\(leaderElect)",
            "identity": "\(election?.identity ?? "")",
        ])
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// The Lease `ferry-operator` with the `--leader-elect-*` durations, validated as
    /// client-go validates them (plus the margin `LeaderElectionCore` relies on).
    func leaderElection(namespace: String, identity: String) throws -> LeaderElectionConfiguration {
        let duration = Self.leaderElectDuration
        let election = LeaderElectionConfiguration(
            leaseName: "ferry-operator", namespace: namespace, identity: identity,
            leaseDuration: try duration(leaderElectLeaseDuration, "leader-elect-lease-duration"),
            renewDeadline: try duration(leaderElectRenewDeadline, "leader-elect-renew-deadline"),
            retryPeriod: try duration(leaderElectRetryPeriod, "leader-elect-retry-period"))
        do {
            try election.validate()
        } catch {
            throw ValidationError("\(error.description) (--leader-elect-lease-duration \(leaderElectLeaseDuration), "
                                  + "--leader-elect-renew-deadline \(leaderElectRenewDeadline), --leader-elect-retry-period \(leaderElectRetryPeriod))")
        }
        return election
    }

    /// A `--leader-elect-*` value: a positive Go duration, to the millisecond.
    static func leaderElectDuration(_ text: String, _ flag: String) throws -> Duration {
        guard let seconds = DurationSyntax.seconds(text), seconds > 0, seconds < 1e9 else {
            throw ValidationError("--\(flag) must be a positive duration such as 15s or 500ms, got \"\(text)\"")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// `host:port` as controller-runtime's bind-address flags take it; "0" disables.
struct BindAddress: Equatable {
    var host: String
    var port: Int

    static func parse(_ text: String, flag: String) throws -> BindAddress? {
        if text == "0" || text.isEmpty { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(flag) must be host:port or 0, got \"\(text)\"")
        }
        let host = String(text[..<colon])
        return BindAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }
}
