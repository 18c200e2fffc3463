/// `ferry bench failover`: leader failover time. Two `ferry operator` processes (this
/// binary) against an embedded API server in this process; each round SIGKILLs the leader
/// at a random moment of its renew cycle, creates a Sync, and times the standby's Lease
/// acquisition, its first reconcile (its log) and the Sync's first status write (the API).
import ArgumentParser
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
#if canImport(Glibc)
import Glibc
#endif

struct FailoverBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "SIGKILL the leading operator N times: kill -> Lease acquired and kill -> first reconcile against the lease duration."
    )

    @Option(help: "Times the leader is killed.")
    var rounds = 5

    @Option(name: .customLong("lease-duration"), help: "--leader-elect-lease-duration of both operators.")
    var leaseDuration = "15s"

    @Option(name: .customLong("renew-deadline"), help: "--leader-elect-renew-deadline of both operators.")
    var renewDeadline = "10s"

    @Option(name: .customLong("retry-period"), help: "--leader-elect-retry-period of both operators.")
    var retryPeriod = "2s"

    static let namespace = "default"

    func run() async throws {
        guard rounds > 0 else { throw ValidationError("--rounds must be positive") }
        let timing = try validatedTiming()
        let server = try EmbeddedAPIServer(configuration: APIServerConfiguration())
        try await server.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-failover-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var client: KubernetesClient?
        var operators = FailoverOperators(directory: directory, arguments: [])
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let kubeconfig = directory + "/kubeconfig"
            try server.writeKubeconfig(to: kubeconfig)
            var configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig)
            configuration.qps = 0
            let api = try KubernetesClient(configuration: configuration)
            client = api
            try await DevCommand.installCRDs(api)
            operators = FailoverOperators(directory: directory, arguments: [
                "operator", "--kubeconfig", kubeconfig, "--leader-election-namespace", Self.namespace,
                "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--create-default-pool=false",
                "--leader-elect-lease-duration", leaseDuration, "--leader-elect-renew-deadline", renewDeadline, "--leader-elect-retry-period", retryPeriod,
            ])
            let results = try await measure(api, &operators, timing)
            report(results, timing)
            operators.stopAll()
            try await api.shutdown()
            try await server.shutdown()
            if results.contains(where: { !$0.withinLease(timing.leaseDuration) }) { throw ExitCode.failure }
        } catch {
            operators.stopAll()
            try? await client?.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    /// The three durations, validated as `ferry operator` validates them.
    func validatedTiming() throws -> LeaderElectionConfiguration {
        let duration = OperatorCommand.leaderElectDuration
        let c = LeaderElectionConfiguration(
            leaseName: "ferry-operator", namespace: Self.namespace, identity: "bench", leaseDuration: try duration(leaseDuration, "lease-duration"),
            renewDeadline: try duration(renewDeadline, "renew-deadline"), retryPeriod: try duration(retryPeriod, "retry-period"))
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }

    struct Round {
        var number: Int
        /// From the killed leader's last renewTime to the kill.
        var sinceRenew: Duration
        var leaseAcquired: Duration
        var firstReconcile: Duration?
        var syncStatus: Duration

        func withinLease(_ lease: Duration) -> Bool { (firstReconcile.map { $0 <= lease } ?? false) && syncStatus <= lease }
    }

    func measure(_ client: KubernetesClient, _ operators: inout FailoverOperators, _ timing: LeaderElectionConfiguration) async throws -> [Round] {
        let patience = timing.leaseDuration * 3 + .seconds(30)
        emit("Leader failover: two `ferry operator` processes (lease \(leaseDuration), renew deadline \(renewDeadline), retry \(retryPeriod)),")
        emit("embedded API server in this process; the leader SIGKILLed at a random moment of its renew cycle, then a Sync created")
        emit(Self.header)
        try operators.start()
        try operators.start()
        var results: [Round] = []
        for number in 1...rounds {
            let (leader, standby) = try await operators.leaderAndStandby(client, timeout: patience)
            // Two renews after the standby was up: it has polled the Lease and its caches are warm.
            _ = try await nextRenew(client, timeout: patience)
            let renewed = try await nextRenew(client, timeout: patience)
            // A random moment of the renew cycle.
            let offset = timing.retryPeriod * Double.random(in: 0..<1)
            try await Task.sleep(until: .now + offset, clock: .continuous)
            let killedAt = Date()
            operators.kill(leader)
            let sync = "failover-\(number)"
            try await createSync(sync, client)
            let statusAt = try await firstStatus(of: sync, client, timeout: patience)
            let lease = try await client.get(.lease, name: "ferry-operator", namespace: Self.namespace)
            guard lease["spec"]["holderIdentity"].stringValue == standby.identity,
                  let acquired = lease["spec"]["acquireTime"].stringValue.flatMap(KubeTime.parse) else {
                throw FailoverBenchError("round \(number): the Lease is not held by the standby:\n\(lease.serialized())\n\(standby.log.suffix(3000))")
            }
            let reconciled = try await standby.firstReconcileAfterLeading(timeout: .seconds(10))
            let round = Round(
                number: number, sinceRenew: Self.interval(renewed, killedAt), leaseAcquired: Self.interval(killedAt, acquired),
                firstReconcile: reconciled.map { Self.interval(killedAt, $0) }, syncStatus: Self.interval(killedAt, statusAt))
            emit(Self.row(round, lease: timing.leaseDuration))
            results.append(round)
            // The replacement joins only now, so it cannot race the standby for the expired lease.
            if number < rounds { try operators.start() }
        }
        return results
    }

    /// Waits for the Lease's renewTime to change; returns the new renewTime.
    func nextRenew(_ client: KubernetesClient, timeout: Duration) async throws -> Date {
        let read = { try await client.get(.lease, name: "ferry-operator", namespace: Self.namespace)["spec"]["renewTime"].stringValue }
        let first = try await read()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let now = try await read(), now != first, let date = KubeTime.parse(now) { return date }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw FailoverBenchError("the Lease was not renewed within \(timeout)")
    }

    /// A Sync of a Connection that does not exist: its first reconcile writes a status
    /// (Queued, ConnectionNotFound) and nothing else.
    func createSync(_ name: String, _ client: KubernetesClient) async throws {
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": .string(Self.namespace)], "spec": ["connectionRef": ["name": "absent"]],
        ], Sync.resourceType)
    }

    /// When (wall clock, polled every 5 ms) the Sync first has a status.
    func firstStatus(of name: String, _ client: KubernetesClient, timeout: Duration) async throws -> Date {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let sync = try await client.get(Sync.resourceType, name: name, namespace: Self.namespace)
            if !(sync["status"].objectValue?.isEmpty ?? true) { return Date() }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw FailoverBenchError("Sync \(name) got no status within \(timeout)")
    }

    /// The wall-clock interval from `start` to `end` (every process here shares this machine's clock).
    static func interval(_ start: Date, _ end: Date) -> Duration { .microseconds(Int64((end.timeIntervalSince(start) * 1_000_000).rounded())) }

    static func seconds(_ d: Duration) -> String { String(format: "%.3f s", d / .seconds(1)) }

    static func row(_ r: Round, lease: Duration) -> String {
        let cells = ["\(r.number)", seconds(r.sinceRenew), seconds(r.leaseAcquired), r.firstReconcile.map(seconds) ?? "not logged", seconds(r.syncStatus), seconds(lease)]
        return zip(cells, columnWidths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " ")
    }

    static let columnWidths = [6, 13, 20, 24, 22, 8]

    func report(_ rounds: [Round], _ timing: LeaderElectionConfiguration) {
        func summary(_ label: String, _ samples: [Duration]) -> String {
            let s = samples.sorted()
            guard let low = s.first, let high = s.last else { return label + " n/a" }
            return "\(label.padding(toLength: 24, withPad: " ", startingAt: 0)) min \(Self.seconds(low))  median \(Self.seconds(s[s.count / 2]))  max \(Self.seconds(high))"
        }
        emit(summary("kill -> lease acquired", rounds.map(\.leaseAcquired)))
        emit(summary("kill -> first reconcile", rounds.compactMap(\.firstReconcile)))
        emit(summary("kill -> Sync status", rounds.map(\.syncStatus)))
        let within = rounds.filter { $0.withinLease(timing.leaseDuration) }.count
        emit("\(within) of \(rounds.count) rounds reconciled within the lease duration (\(Self.seconds(timing.leaseDuration)))")
    }

    /// Printed before the first round.
    static var header: String {
        ["round", "since renew", "kill->lease acquired", "kill->first reconcile", "kill->Sync status", "lease"].enumerated()
            .map { $1.padding(toLength: columnWidths[$0], withPad: " ", startingAt: 0) }.joined(separator: " ")
    }
}


struct FailoverBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The bench's `ferry operator` children; the replacement for a killed one is started by
/// the caller when it may join.
struct FailoverOperators {
    let directory: String
    let arguments: [String]
    private(set) var running: [OperatorChild] = []
    private var started = 0

    init(directory: String, arguments: [String]) {
        self.directory = directory
        self.arguments = arguments
    }

    mutating func start() throws {
        started += 1
        running.append(try OperatorChild(name: "operator-\(started)", arguments: arguments, directory: directory))
    }

    /// Waits until the Lease is held by one of the two running operators; returns it and the other.
    func leaderAndStandby(_ client: KubernetesClient, timeout: Duration) async throws -> (leader: OperatorChild, standby: OperatorChild) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exited = running.first(where: { !$0.process.isRunning }) {
                throw FailoverBenchError("\(exited.name) exited with \(exited.process.terminationStatus):\n\(exited.log.suffix(3000))")
            }
            let lease = try? await client.get(.lease, name: "ferry-operator", namespace: FailoverBench.namespace)
            if running.count == 2, let holder = lease?["spec"]["holderIdentity"].stringValue,
               let leader = running.first(where: { $0.identity == holder }), let standby = running.first(where: { $0 !== leader }), standby.identity != nil {
                return (leader, standby)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FailoverBenchError("no operator became leader within \(timeout):\n" + running.map { "--- \($0.name)\n\($0.log.suffix(2000))" }.joined(separator: "\n"))
    }

    mutating func kill(_ child: OperatorChild) {
        child.kill()
        running.removeAll { $0 === child }
    }

    func stopAll() {
        for child in running { child.stop() }
    }
}

/// One `ferry operator` (this binary) with its JSON log in `<directory>/<name>.log`.
final class OperatorChild {
    let name: String
    let process = Process()
    let logPath: String

    init(name: String, arguments: [String], directory: String) throws {
        self.name = name
        logPath = "\(directory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: DevCommand.currentExecutable())
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var entries: [JSONValue] { log.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) } }

    /// The Lease identity it logged at start.
    var identity: String? { entries.first { $0["msg"] == "starting operator" }?["identity"].stringValue }

    /// The time of the first "first reconcile" line after its last "became leader"; nil
    /// when none appears within `timeout`.
    func firstReconcileAfterLeading(timeout: Duration) async throws -> Date? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let lines = entries
            if let became = lines.lastIndex(where: { $0["msg"] == "became leader" }),
               let first = lines[became...].first(where: { $0["msg"] == "first reconcile" }) {
                return first["time"].stringValue.flatMap(KubeTime.parse)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// SIGKILL: no chance to release the lease (a crashed operator).
    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after 20 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        kill()
    }
}
