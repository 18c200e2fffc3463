/// Settings of the pod sweeper: how long finished worker pods are kept, and whether
/// orphaned worker pods are removed. Defaults are Airbyte's pod-sweeper defaults.
public struct PodSweeperOptions: Sendable, Hashable {
    /// How long a Succeeded pod is kept after its last phase transition; nil keeps it forever.
    public var succeededTTL: Duration?
    /// How long a Failed (or Unknown, or any other terminal phase) pod is kept; nil keeps it forever.
    public var failedTTL: Duration?
    /// Whether pods without their Sync, or of a superseded attempt, are deleted at once.
    public var orphanCheck: Bool

    public static let defaultSucceededTTL: Duration = .seconds(10 * 60)
    public static let defaultFailedTTL: Duration = .seconds(120 * 60)

    /// The operator flags these settings are meant to come from.
    public enum Flag {
        public static let succeededTTL = "--sweeper-succeeded-ttl"
        public static let failedTTL = "--sweeper-failed-ttl"
        public static let orphanCheck = "--sweeper-orphan-check"
    }

    public init(
        succeededTTL: Duration? = PodSweeperOptions.defaultSucceededTTL, failedTTL: Duration? = PodSweeperOptions.defaultFailedTTL,
        orphanCheck: Bool = true
    ) {
        self.succeededTTL = succeededTTL
        self.failedTTL = failedTTL
        self.orphanCheck = orphanCheck
    }
}
