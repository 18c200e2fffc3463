/// A shared informer: one watcher feeding one `ObjectStore`, with handlers notified of
/// every change after the store has applied it.
import KubeClient
import KubeCore
import Logging
import Synchronization

/// Keeps a store in step with the server and fans changes out to handlers (controllers).
///
/// Guarantees: handlers run after the store reflects the change, so a handler that reads
/// the store sees at least that state; handlers are called in event order.
/// Caveats: register handlers before `run`; handlers must not block (they enqueue keys).
public final class Informer: Sendable {
    public let resource: ResourceType
    public let store: ObjectStore
    /// nil for an informer fed only through `deliver` (tests, custom sources).
    private let watcher: Watcher?
    private let handlers = Mutex<[@Sendable (StoreChange) -> Void]>([])

    public init(
        client: KubernetesClient, resource: ResourceType, namespace: String? = nil,
        configuration: WatcherStateMachine.Configuration = .init(), indexers: [String: IndexFunction] = [:],
        transform: (@Sendable (JSONValue) -> JSONValue)? = nil, clock: any RuntimeClock = SystemClock(),
        logger: Logger = Logger(label: "ferry.informer")
    ) {
        self.resource = resource
        self.store = ObjectStore(indexers: indexers, transform: transform)
        self.watcher = Watcher(client: client, resource: resource, namespace: namespace, configuration: configuration, clock: clock, logger: logger)
    }

    /// An informer with no watcher: its store changes only through `deliver`, and `run`
    /// just waits for cancellation. For tests and custom event sources.
    public init(resource: ResourceType, indexers: [String: IndexFunction] = [:], transform: (@Sendable (JSONValue) -> JSONValue)? = nil) {
        self.resource = resource
        self.store = ObjectStore(indexers: indexers, transform: transform)
        self.watcher = nil
    }

    public func addHandler(_ handler: @escaping @Sendable (StoreChange) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    /// Runs until the task is cancelled.
    public func run() async {
        guard let watcher else {
            // Nothing to watch: stay "running" until cancelled, like a real informer.
            await ChangeSignal().wait(after: 0)
            return
        }
        await watcher.run { event in self.deliver(event) }
    }

    /// Applies an event to the store and notifies the handlers, as the watcher does. Public
    /// so tests and custom sources can drive an informer without a server.
    public func deliver(_ event: WatcherEvent) {
        let changes = store.apply(event)
        let hs = handlers.withLock { $0 }
        for change in changes { for h in hs { h(change) } }
    }
}
