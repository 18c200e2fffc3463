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
    private let watcher: Watcher
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

    public func addHandler(_ handler: @escaping @Sendable (StoreChange) -> Void) {
        handlers.withLock { $0.append(handler) }
    }

    /// Runs until the task is cancelled.
    public func run() async {
        await watcher.run { event in
            let changes = self.store.apply(event)
            let hs = self.handlers.withLock { $0 }
            for change in changes { for h in hs { h(change) } }
        }
    }
}
