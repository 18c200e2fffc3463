/// Why `ferry run` stopped before or instead of a sync: bad input (exit 2) or a failed
/// step such as discover (exit 1). Messages are one line and never hold secret values.
public struct LocalRunError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Manifests, references, secrets, commands or the catalog are wrong: exit 2.
        case badInput
        /// A connector or the local machine failed: exit 1.
        case failed
    }
    public var kind: Kind
    public var message: String
    public var description: String { message }

    public static func badInput(_ message: String) -> LocalRunError { LocalRunError(kind: .badInput, message: message) }
    public static func failed(_ message: String) -> LocalRunError { LocalRunError(kind: .failed, message: message) }

    /// The process exit code `ferry run` uses for this error.
    public var exitCode: Int32 { kind == .badInput ? 2 : 1 }
}
