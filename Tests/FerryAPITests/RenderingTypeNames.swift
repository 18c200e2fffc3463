/// Names for FerryAPI's stream types in tests that also import AirbyteProtocol, which has
/// types of the same names (the module name `FerryAPI` is shadowed by the enum `FerryAPI`).
import FerryAPI

typealias ConnectionStream = ConfiguredStream
typealias ConnectionSyncMode = SyncMode
typealias ConnectionDestinationSyncMode = DestinationSyncMode
