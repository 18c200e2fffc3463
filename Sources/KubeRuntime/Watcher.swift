/// The watcher's async shell: runs `WatcherStateMachine` actions with a `KubernetesClient`.
import KubeClient
import KubeCore
import Logging

/// Lists and watches one resource forever, delivering `WatcherEvent`s in order.
///
/// Guarantees: runs until its task is cancelled; never throws for API or transport
/// failures (they are retried with backoff, 410 relists at once); `onEvent` is awaited
/// before the next event is read, so a slow consumer applies backpressure.
public struct Watcher: Sendable {
    public let client: KubernetesClient
    public let resource: ResourceType
    /// nil watches all namespaces (for a namespaced type).
    public let namespace: String?
    public let configuration: WatcherStateMachine.Configuration
    public let clock: any RuntimeClock
    let logger: Logger

    public init(
        client: KubernetesClient, resource: ResourceType, namespace: String? = nil,
        configuration: WatcherStateMachine.Configuration = .init(), clock: any RuntimeClock = SystemClock(),
        logger: Logger = Logger(label: "ferry.watcher")
    ) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
    }

    /// Runs until cancelled; returns (without throwing) on cancellation.
    public func run(_ onEvent: @Sendable (WatcherEvent) async -> Void) async {
        var machine = WatcherStateMachine(configuration: configuration, seed: UInt64.random(in: 1...UInt64.max))
        var action = machine.start()
        while !Task.isCancelled {
            switch action {
            case .list(let options):
                do {
                    let page = try await client.list(resource, namespace: namespace, options: options)
                    let (event, next) = machine.listed(page)
                    if let event { await onEvent(event) }
                    action = next
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("list failed", metadata: ["resource": "\(resource.plural)", "error": "\(error)"])
                    action = machine.ended(error: error)
                }
            case .watch(let options):
                action = await watch(options, machine: &machine, onEvent)
            case .sleep(let delay):
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return
                }
                action = machine.backoffElapsed()
            }
        }
    }

    private func watch(_ options: ListOptions, machine: inout WatcherStateMachine, _ onEvent: @Sendable (WatcherEvent) async -> Void) async -> WatcherStateMachine.Action {
        let stream = client.watch(resource, namespace: namespace, options: options)
        let started = clock.now
        var events = 0
        do {
            for try await event in stream {
                events += 1
                let (out, replace) = machine.received(event)
                if let out { await onEvent(out) }
                if let replace { return replace }
            }
            return machine.watchClosed(events: events, lasted: clock.now - started)
        } catch {
            if Task.isCancelled { return machine.ended(error: nil) }
            let gone = (error as? KubeClientError)?.isGone ?? false
            if gone {
                logger.info("watch expired; relisting", metadata: ["resource": "\(resource.plural)"])
            } else {
                logger.warning("watch failed", metadata: ["resource": "\(resource.plural)", "error": "\(error)"])
            }
            return machine.ended(error: error)
        }
    }
}
