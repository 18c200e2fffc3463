/// The leader elector's async shell: acquires and renews the Lease per `LeaderElectionCore`,
/// runs its children only while leading, and releases the lease on graceful stop.
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs `whileLeading` only while this candidate holds the lease.
///
/// Guarantees: the children are cancelled as soon as a renew has failed for
/// `renewDeadline`; after losing, it becomes a candidate again. On graceful stop (`stop()`
/// or ServiceLifecycle graceful shutdown) the children finish first, then the lease is
/// released (holder cleared, duration 1 s) so a successor takes over at its next retry.
/// Cancelling the task instead ("kill") leaves the lease to expire.
public final class LeaderElector: Service, Sendable {
    public let configuration: LeaderElectionConfiguration
    private let client: KubernetesClient
    private let clock: any RuntimeClock
    private let metrics: MetricsRegistry?
    private let logger: Logger
    private let whileLeading: @Sendable () async -> Void
    private let core: Mutex<LeaderElectionCore>
    private let stopping = Mutex(false)
    /// Set by ServiceLifecycle: stop campaigning, but keep renewing while the children drain.
    private let shuttingDown = Mutex(false)
    private let changed = ChangeSignal()

    public init(
        configuration: LeaderElectionConfiguration, client: KubernetesClient, clock: any RuntimeClock = SystemClock(), metrics: MetricsRegistry? = nil,
        logger: Logger = Logger(label: "ferry.leaderelection"), whileLeading: @escaping @Sendable () async -> Void
    ) throws(LeaderElectionConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.client = client
        self.clock = clock
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        self.whileLeading = whileLeading
        self.core = Mutex(LeaderElectionCore(configuration: configuration))
        metrics?.describe("leader_election_master_status", kind: .gauge, help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.")
        metrics?.set("leader_election_master_status", ["name": configuration.leaseName], to: 0)
    }

    public var isLeader: Bool { core.withLock { $0.isLeader } }

    /// Asks `run` to stop now: the children are cancelled, the lease released, `run` returns.
    public func stop() {
        stopping.withLock { $0 = true }
        changed.signal()
    }

    private var isStopping: Bool { stopping.withLock { $0 } }

    public func run() async {
        await withGracefulShutdownHandler {
            await runLoop()
        } onGracefulShutdown: {
            // The children see the same graceful shutdown (task locals are inherited) and
            // drain; when they return the lease is released.
            self.shuttingDown.withLock { $0 = true }
            self.changed.signal()
        }
    }

    private enum LeadingEnd { case lost, stopRequested, childrenFinished }

    private func runLoop() async {
        while !Task.isCancelled && !isStopping {
            guard await acquire() else { return }
            logger.info("became leader")
            metrics?.set("leader_election_master_status", ["name": configuration.leaseName], to: 1)
            let end = await withTaskGroup(of: LeadingEnd.self) { group -> LeadingEnd in
                group.addTask {
                    await self.whileLeading()
                    return .childrenFinished
                }
                group.addTask { await self.renewLoop() }
                group.addTask { await self.renewDeadlineWatch() }
                let first = await group.next() ?? .childrenFinished
                group.cancelAll()
                return first
            }
            metrics?.set("leader_election_master_status", ["name": configuration.leaseName], to: 0)
            switch end {
            case .lost:
                logger.warning("leadership lost")
                continue
            case .stopRequested, .childrenFinished:
                if !Task.isCancelled { await release() }
                core.withLock { $0.resign() }
                return
            }
        }
    }

    /// Tries every retryPeriod (with jitter), and at the moment another's lease expires,
    /// until leader; false when stopped or cancelled.
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            let seen = changed.generation
            if isStopping || shuttingDown.withLock({ $0 }) { return false }
            if await tryAcquireOrRenew() { return true }
            let jitter = Double.random(in: 1.0...1.2)
            let now = clock.now
            let wake = core.withLock { $0.nextAttempt(now: now, retryDelay: configuration.retryPeriod * jitter) }
            await changed.wait(after: seen, until: wake, clock: clock)
        }
        return false
    }

    /// Renews every retryPeriod; returns when leadership is lost or a stop is requested.
    private func renewLoop() async -> LeadingEnd {
        while !Task.isCancelled {
            let seen = changed.generation
            if isStopping { return .stopRequested }
            await changed.wait(after: seen, until: clock.now + configuration.retryPeriod, clock: clock)
            if isStopping { return .stopRequested }
            if Task.isCancelled { break }
            if await tryAcquireOrRenew() { continue }
            if !core.withLock({ $0.failed(now: clock.now) }) { return .lost }
        }
        return .lost
    }

    /// Ends leading at `lastRenew + renewDeadline` even while a renew request still hangs
    /// (the client's request timeout is far longer): the safety argument in
    /// `LeaderElectionCore` needs the controllers cancelled by then, as client-go's renew
    /// context with its renewDeadline timeout does.
    private func renewDeadlineWatch() async -> LeadingEnd {
        while !Task.isCancelled {
            guard let deadline = core.withLock({ $0.leadingDeadline }) else { return .lost }
            if clock.now >= deadline {
                // Re-checked under the lock: a renew may have succeeded meanwhile.
                if !core.withLock({ $0.failed(now: clock.now) }) { return .lost }
                continue
            }
            try? await clock.sleep(until: deadline)
        }
        return .lost
    }

    /// One round of client-go's `tryAcquireOrRenew`. True when we hold the lease now.
    private func tryAcquireOrRenew() async -> Bool {
        let api = (resource: ResourceType.lease, name: configuration.leaseName, namespace: configuration.namespace)
        var current: JSONValue?
        do {
            current = try await client.get(api.resource, name: api.name, namespace: api.namespace)
        } catch where error.isNotFound {
            current = nil
        } catch {
            logger.debug("reading the lease failed", metadata: ["error": "\(error)"])
            core.withLock { _ = $0.failed(now: clock.now) }
            return false
        }
        let now = clock.now
        let decision = core.withLock { $0.decide(current: current, now: now, wallTime: clock.wallTime) }
        do {
            let written: JSONValue
            switch decision {
            case .heldBy:
                return false
            case .create(let lease):
                written = try await client.create(lease, api.resource, namespace: api.namespace)
            case .update(let lease):
                written = try await client.update(lease, api.resource, namespace: api.namespace)
            }
            core.withLock { $0.succeeded(written, now: now) }
            return true
        } catch {
            // A conflict means another candidate wrote first; it is not an error worth more than debug.
            logger.debug("writing the lease failed", metadata: ["error": "\(error)"])
            core.withLock { _ = $0.failed(now: clock.now) }
            return false
        }
    }

    /// Clears the holder so a successor need not wait for the lease to expire.
    private func release() async {
        do {
            let current = try await client.get(.lease, name: configuration.leaseName, namespace: configuration.namespace)
            guard let released = core.withLock({ $0.release(current: current, wallTime: clock.wallTime) }) else { return }
            _ = try await client.update(released, .lease, namespace: configuration.namespace)
            logger.info("released the lease")
        } catch {
            logger.warning("releasing the lease failed; it will expire", metadata: ["error": "\(error)"])
        }
    }
}
