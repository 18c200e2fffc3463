/// JSON text in and out of JSONValue: parse, compact and pretty serialization.
import Foundation

/// A JSON syntax error with the byte offset where parsing stopped, phrased like the
/// messages of Go's encoding/json that kube-apiserver returns for malformed bodies.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
    public var description: String { "\(message) at offset \(offset)" }
}

extension JSONValue {
    /// Parses a complete JSON text. Trailing non-whitespace is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let array = Array(bytes)
        var parser = JSONParser(bytes: array)
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Compact JSON with object keys sorted, so equal values serialize identically.
    public func serialized() -> String {
        var out = [UInt8]()
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func serializedBytes() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out)
        return out
    }

    /// Indented JSON, for humans.
    public func prettyPrinted(indent: String = "  ") -> String {
        var out = ""
        JSONWriter.pretty(self, indent: indent, level: 0, into: &out)
        return out
    }
}
