/// What the relay connects and how patient it is.
import AirbyteProtocol
import KubeCore
import Logging

/// One side of the relay: a command run as a child process, or already-open
/// descriptors (named pipes in a worker Pod, where the connectors run in other containers).
public enum ConnectorEndpoint: Sendable {
    case command(String)
    /// The source's stdout (read), or the destination's stdin (write) and stdout (read).
    case descriptors(read: Int32, write: Int32?)
}

/// How the relay moves the lines it forwards.
public enum RelayForwarding: String, Sendable, CaseIterable {
    /// From the source's pipe to the destination by tee(2) and splice(2), without a
    /// second copy out of the kernel, where the descriptors allow it (Linux, a pipe in,
    /// a pipe, socket or file out); else, and for lines longer than the scratch pipe, `copy`.
    case splice
    /// Read into the relay's buffer and written from there.
    case copy
}

public struct RelayConfiguration: Sendable {
    public var source: ConnectorEndpoint
    public var destination: ConnectorEndpoint
    /// Records of streams not in the catalog are dropped and counted; nil accepts all.
    public var catalog: ConfiguredCatalog?
    /// Source descriptor → destination descriptor for streams the destination writes under
    /// another name (a Connection's prefix and namespace definition). Their RECORDs, STREAM
    /// states and STREAM_STATUS traces are rewritten on the way; stats and committed state
    /// stay keyed by the source's names. Entries mapping a stream to itself are ignored.
    public var streamRenames: [StreamDescriptor: StreamDescriptor] = [:]
    /// The state the source was started with; streams that commit nothing new keep it.
    public var inputState: JSONValue?
    /// No RECORD or STATE from the source for this long fails the attempt.
    public var sourceSilenceTimeout: Duration = .seconds(3 * 3600)
    /// After the source finishes, how long the destination may take to finish.
    public var destinationDrainTimeout: Duration = .seconds(3600)
    /// Lines longer than this are skipped and counted. 64 MiB: well above the largest
    /// records real connectors emit (10 MiB lines must pass), while bounding the relay's
    /// memory to one such line per direction.
    public var maxLineBytes = 64 << 20
    /// Committed state and stats go to the sink this often, and once at the end.
    public var flushInterval: Duration = .seconds(10)
    /// How often `onProgress` is called while the relay runs (it is also called once at
    /// the end with `finished` set); nil reports only at the end.
    public var progressInterval: Duration? = nil
    /// Receives progress reports; called from the relay's timer task, so keep it short.
    public var onProgress: (@Sendable (RelayProgressReport) -> Void)? = nil
    /// Written (atomically) when the relay ends for any reason, including a connector
    /// that cannot start and cancellation; see `RelayStopMarker`.
    public var stopMarkerPath: String? = nil
    /// Copy connectors' stderr to ours (their tails are kept for failure messages anyway).
    public var passThroughStderr = true
    /// `.copy` only to compare (`ferry bench relay`); both forward the same bytes.
    public var forwarding = RelayForwarding.splice
    public var logger = Logger(label: "ferry.worker")

    public init(source: ConnectorEndpoint, destination: ConnectorEndpoint, catalog: ConfiguredCatalog? = nil) {
        self.source = source
        self.destination = destination
        self.catalog = catalog
    }
}
