/// The watcher as an explicit state machine (kube-rs `watcher`): empty → listing pages →
/// watching from the list's resourceVersion; bookmarks advance the resourceVersion;
/// 410 Gone / Expired relists from scratch; other errors back off and resume.
import KubeClient
import KubeCore

/// What a watcher tells its consumer.
public enum WatcherEvent: Sendable, Hashable {
    /// A complete, consistent list replaced everything known before (atomic relist).
    case restarted([JSONValue])
    /// An object was added or modified.
    case applied(JSONValue)
    /// An object was deleted (the last state the server had).
    case deleted(JSONValue)
}

/// Pure watcher logic: feed it results, execute the actions it returns.
///
/// Guarantees: pages are accumulated and emitted as one `.restarted` only when the list is
/// complete; a watch always resumes from the last resourceVersion seen (list, event or
/// bookmark); a 410 relists with resourceVersion "" (a consistent read) rather than
/// resuming; errors never lose the resourceVersion.
public struct WatcherStateMachine: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var labelSelector: String?
        public var fieldSelector: String?
        /// Page size of the initial list.
        public var pageSize: Int
        /// Server-side timeout of each watch request; it then ends normally and is resumed.
        public var watchTimeoutSeconds: Int
        public var initialBackoff: Duration
        public var maxBackoff: Duration

        public init(
            labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500, watchTimeoutSeconds: Int = 290,
            initialBackoff: Duration = .milliseconds(800), maxBackoff: Duration = .seconds(30)
        ) {
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.pageSize = pageSize
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
        }
    }

    public enum State: Sendable, Hashable {
        case empty
        /// Listing; `continueToken` is the next page, `items` the pages so far.
        case listing(continueToken: String?, items: [JSONValue])
        case watching(resourceVersion: String)
        /// Waiting out a backoff before `resume`.
        indirect case backingOff(resume: State)
    }

    /// The I/O to perform next.
    public enum Action: Sendable, Hashable {
        case list(ListOptions)
        case watch(ListOptions)
        case sleep(Duration)
    }

    public let configuration: Configuration
    public private(set) var state: State = .empty
    /// Consecutive failures, for the backoff.
    public private(set) var failures = 0
    private var rng: SplitMix64

    public init(configuration: Configuration = Configuration(), seed: UInt64 = 0x5eed) {
        self.configuration = configuration
        self.rng = SplitMix64(seed: seed)
    }

    /// The first action.
    public mutating func start() -> Action {
        state = .listing(continueToken: nil, items: [])
        return listAction(continueToken: nil)
    }

    /// A list page arrived. Returns the event to emit (once the list is complete) and the next action.
    public mutating func listed(_ page: ObjectList) -> (event: WatcherEvent?, next: Action) {
        guard case .listing(_, let items) = state else { return (nil, start()) }
        let all = items + page.items
        if let token = page.metadata.continue, !token.isEmpty {
            state = .listing(continueToken: token, items: all)
            return (nil, listAction(continueToken: token))
        }
        failures = 0
        let rv = page.metadata.resourceVersion ?? ""
        state = .watching(resourceVersion: rv)
        return (.restarted(all), watchAction(rv))
    }

    /// A watch event arrived. Returns the event to emit, or, for an ERROR event, the action
    /// that replaces the current watch (the caller stops reading it).
    public mutating func received(_ event: WatchEvent) -> (event: WatcherEvent?, replace: Action?) {
        guard case .watching = state else { return (nil, nil) }
        if let rv = event.object.resourceVersion, !rv.isEmpty, event.type != .error {
            state = .watching(resourceVersion: rv)
        }
        switch event.type {
        case .added, .modified:
            failures = 0
            return (.applied(event.object), nil)
        case .deleted:
            failures = 0
            return (.deleted(event.object), nil)
        case .bookmark:
            return (nil, nil)
        case .error:
            let status = Status(json: event.object)
            return (nil, failed(gone: status.map(Self.isExpired) ?? false))
        }
    }

    /// The current request failed (list or watch). A nil error means a watch ended normally.
    public mutating func ended(error: (any Error)?) -> Action {
        guard let error else {
            // A watch closed by the server (timeout, drop): resume at once from the last RV.
            if case .watching(let rv) = state { return watchAction(rv) }
            return start()
        }
        let gone = (error as? KubeClientError)?.isGone ?? false
        return failed(gone: gone)
    }

    /// A watch closed without error after `lasted`, having delivered `events` events
    /// (bookmarks included). Like client-go's reflector, a watch that lasted under a second
    /// and delivered nothing counts as a failure ("very short watch"), so a server that
    /// closes every watch at once is not hammered in a tight loop.
    public mutating func watchClosed(events: Int, lasted: Duration) -> Action {
        if events == 0 && lasted < .seconds(1), case .watching = state {
            return failed(gone: false)
        }
        return ended(error: nil)
    }

    /// The backoff elapsed.
    public mutating func backoffElapsed() -> Action {
        guard case .backingOff(let resume) = state else { return start() }
        switch resume {
        case .watching(let rv):
            state = resume
            return watchAction(rv)
        case .listing(let token, let items):
            state = resume
            return listAction(continueToken: token.flatMap { $0.isEmpty ? nil : $0 }, keeping: items)
        default:
            return start()
        }
    }

    private mutating func failed(gone: Bool) -> Action {
        let resume: State
        switch state {
        case .watching(let rv) where !gone:
            resume = .watching(resourceVersion: rv)
        case .listing(let token?, let items) where !gone:
            // A failed page is retried from the same continue token.
            resume = .listing(continueToken: token, items: items)
        default:
            // 410: resourceVersion or continue token expired. Relist from scratch.
            resume = .listing(continueToken: nil, items: [])
        }
        if gone {
            // An expired RV is not a fault of the server: relist immediately.
            state = resume
            return listAction(continueToken: nil)
        }
        failures += 1
        state = .backingOff(resume: resume)
        return .sleep(backoffDelay())
    }

    /// Exponential backoff with ±25% jitter: initial·2^(failures-1), capped at `maxBackoff`.
    private mutating func backoffDelay() -> Duration {
        var seconds = configuration.initialBackoff.seconds
        for _ in 1..<max(failures, 1) {
            seconds *= 2
            if seconds >= configuration.maxBackoff.seconds { break }
        }
        seconds = min(seconds, configuration.maxBackoff.seconds)
        let jitter = 0.75 + rng.nextUnit() * 0.5
        return .nanoseconds(Int64(min(seconds * jitter, configuration.maxBackoff.seconds) * 1e9))
    }

    private func listAction(continueToken: String?, keeping items: [JSONValue] = []) -> Action {
        var o = ListOptions(labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector, limit: configuration.pageSize)
        o.continueToken = continueToken
        return .list(o)
    }

    private func watchAction(_ rv: String) -> Action {
        .watch(ListOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector, resourceVersion: rv,
            timeoutSeconds: configuration.watchTimeoutSeconds, allowWatchBookmarks: true))
    }

    static func isExpired(_ status: Status) -> Bool {
        status.code == 410 || status.statusReason == .expired || status.statusReason == .gone
    }
}
