/// Small helpers shared by the KubeMachinery tests.
import KubeCore

/// Parses a JSON literal written in a test; a typo in a fixture is a test bug, so it traps.
func json(_ text: String) -> JSONValue {
    do { return try JSONValue.parse(text) } catch { fatalError("bad JSON fixture \(text): \(error)") }
}
