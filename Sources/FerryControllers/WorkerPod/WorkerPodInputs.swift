/// What the Sync controller hands the worker pod builder besides the API objects (the
/// rendered inputs), what it gets back, and why building can fail.
import AirbyteProtocol
import FerryAPI
import KubeCore

/// Inputs rendered by the controller: connector configs with secret values already
/// merged, the configured catalog and the state to resume from.
public struct RenderedInputs: Sendable, Hashable {
    public var renderedSourceConfig: JSONValue
    public var renderedDestinationConfig: JSONValue
    /// The Airbyte configured catalog as JSON (`ConfiguredCatalog.json`).
    public var configuredCatalog: JSONValue
    /// Committed state of earlier attempts or syncs; ignored for `refresh` and `clear`.
    public var inputState: JSONValue?
    /// The destination's catalog when the Connection renames streams (`prefix`,
    /// `namespaceDefinition`): the same streams in the same order under their destination
    /// names. nil: the destination reads `configuredCatalog`.
    public var destinationCatalog: JSONValue?

    public init(renderedSourceConfig: JSONValue, renderedDestinationConfig: JSONValue, configuredCatalog: JSONValue,
                inputState: JSONValue? = nil, destinationCatalog: JSONValue? = nil) {
        self.renderedSourceConfig = renderedSourceConfig
        self.renderedDestinationConfig = renderedDestinationConfig
        self.configuredCatalog = configuredCatalog
        self.inputState = inputState
        self.destinationCatalog = destinationCatalog
    }

    /// From the catalogs of a Connection: the destination's only when it differs.
    public init(renderedSourceConfig: JSONValue, renderedDestinationConfig: JSONValue, catalogs: SyncCatalogs, inputState: JSONValue? = nil) {
        // Not a ternary: its `nil` would be JSONValue's own nil literal, `.null`.
        var destinationCatalog: JSONValue?
        if catalogs.renamesStreams { destinationCatalog = catalogs.destination.json }
        self.init(renderedSourceConfig: renderedSourceConfig, renderedDestinationConfig: renderedDestinationConfig,
                  configuredCatalog: catalogs.source.json, inputState: inputState, destinationCatalog: destinationCatalog)
    }
}

/// A sync attempt's Pod and its per-sync Secret, as API objects ready to create.
public struct WorkerPodManifests: Sendable, Hashable {
    public var podName: String
    public var secretName: String
    public var pod: JSONValue
    public var secret: JSONValue
    /// The attempt's empty progress report (`AttemptProgressConfigMap`), created with the Pod.
    public var progressConfigMap: JSONValue
}

/// Why a worker pod could not be built. Messages name fields, never config values.
public struct WorkerPodBuildError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { "building the worker pod: \(message)" }
    public init(_ message: String) { self.message = message }
}
