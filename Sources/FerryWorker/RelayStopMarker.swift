/// The stop marker: a file the relay writes when it exits for any reason, so the
/// wrappers of connectors running in other containers stop them (no connector
/// outlives its attempt). Its content is the outcome, for the wrappers' logs.
import AirbyteProtocol
import KubeCore

public enum RelayStopMarker {
    /// `{"succeeded": Bool, "failure": {origin, failureType, message}?}` — the JSON
    /// summary's `succeeded` and failure reason.
    public static func content(succeeded: Bool, failure: RelayFailure?) -> JSONValue {
        var o: JSONValue = ["succeeded": .bool(succeeded)]
        if let failure { o["failure"] = failure.json }
        return o
    }

    /// Writes the marker atomically (temporary file, then rename): a wrapper that sees
    /// the file always sees all of it.
    public static func write(to path: String, succeeded: Bool, failure: RelayFailure?) throws(ChildProcessError) {
        do {
            try FileStateSink.writeAtomically(content(succeeded: succeeded, failure: failure).serialized() + "\n", to: path)
        } catch {
            throw ChildProcessError(description: "writing the stop marker: \(error.description)")
        }
    }
}
