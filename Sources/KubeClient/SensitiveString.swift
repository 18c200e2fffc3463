/// A secret value (token, password, private key) that never prints itself.

/// Wraps a credential so that `description`, `debugDescription`, `dump` and string
/// interpolation of any struct holding it show `[redacted]` instead of the secret.
/// Read the secret only through `revealed`, at the point it goes on the wire.
public struct SensitiveString: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; name chosen so that every read is visible in review.
    public let revealed: String

    public init(_ value: String) { self.revealed = value }

    public var isEmpty: Bool { revealed.isEmpty }
    public var description: String { "[redacted]" }
    public var debugDescription: String { "[redacted]" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    public init(from decoder: any Decoder) throws {
        self.revealed = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(revealed)
    }
}
