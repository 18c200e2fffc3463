/// Settings of the Connection controller: when a failing Connection is disabled, as
/// Airbyte disables one (its `AutoDisableConnectionActivity` defaults: 30 failed jobs in a
/// row, or only failures for 7 days).
public struct ConnectionControllerOptions: Sendable, Hashable {
    /// Failed Syncs in a row after which `spec.suspend` is set; 0 never.
    public var autoDisableConsecutiveFailures: Int
    /// Days of nothing but failed Syncs (counted from the first failure) after which
    /// `spec.suspend` is set; 0 never.
    public var autoDisableFailingDays: Int

    public static let defaultAutoDisableConsecutiveFailures = 30
    public static let defaultAutoDisableFailingDays = 7

    /// The operator flags these settings are meant to come from.
    public enum Flag {
        public static let autoDisableConsecutiveFailures = "--auto-disable-consecutive-failures"
        public static let autoDisableFailingDays = "--auto-disable-failing-days"
    }

    public init(
        autoDisableConsecutiveFailures: Int = ConnectionControllerOptions.defaultAutoDisableConsecutiveFailures,
        autoDisableFailingDays: Int = ConnectionControllerOptions.defaultAutoDisableFailingDays
    ) {
        self.autoDisableConsecutiveFailures = autoDisableConsecutiveFailures
        self.autoDisableFailingDays = autoDisableFailingDays
    }
}
