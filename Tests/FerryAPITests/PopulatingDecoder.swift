/// A Decoder that answers every request with a value: every optional is present, every
/// array has one element, every map one key, every enum its first case. Decoding a type
/// with it yields a fully populated instance, whose encoding shows every key the type
/// can write (used to check the type against its schema).
import KubeCore

struct PopulatingDecoder: Decoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func populated<T: Decodable>(_ type: T.Type) throws -> T {
        try PopulatingDecoder().decodeValue(T.self)
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let special = Self.special(type) { return special }
        return try T(from: self)
    }

    /// Leaves that must not be decoded structurally: free-form JSON and string enums.
    static func special<T>(_ type: T.Type) -> T? {
        if T.self == JSONValue.self { return JSONValue.object(["key": "value"]) as? T }
        if let cases = T.self as? any CaseIterable.Type { return firstCase(cases) as? T }
        return nil
    }

    static func firstCase<C: CaseIterable>(_ type: C.Type) -> Any? { type.allCases.first }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(codingPath: codingPath) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(codingPath: codingPath) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        var codingPath: [any CodingKey]
        /// Dictionaries ask for their keys; give them one.
        var allKeys: [Key] { [Key(stringValue: "key")].compactMap { $0 } }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try PopulatingDecoder(codingPath: codingPath + [key]).decodeValue(T.self)
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(codingPath: codingPath + [key]))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { Unkeyed(codingPath: codingPath + [key]) }
        func superDecoder() throws -> any Decoder { PopulatingDecoder(codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { PopulatingDecoder(codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey]
        var count: Int? { 1 }
        var currentIndex = 0
        var isAtEnd: Bool { currentIndex >= 1 }
        init(codingPath: [any CodingKey]) { self.codingPath = codingPath }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            currentIndex += 1
            return try PopulatingDecoder(codingPath: codingPath).decodeValue(T.self)
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            currentIndex += 1
            return KeyedDecodingContainer(Keyed<NestedKey>(codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            currentIndex += 1
            return Unkeyed(codingPath: codingPath)
        }
        mutating func superDecoder() throws -> any Decoder { PopulatingDecoder(codingPath: codingPath) }
    }

    struct Single: SingleValueDecodingContainer {
        var codingPath: [any CodingKey]
        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool { true }
        func decode(_ type: String.Type) throws -> String { "text" }
        func decode(_ type: Double.Type) throws -> Double { 1.5 }
        func decode(_ type: Float.Type) throws -> Float { 1.5 }
        func decode(_ type: Int.Type) throws -> Int { 1 }
        func decode(_ type: Int8.Type) throws -> Int8 { 1 }
        func decode(_ type: Int16.Type) throws -> Int16 { 1 }
        func decode(_ type: Int32.Type) throws -> Int32 { 1 }
        func decode(_ type: Int64.Type) throws -> Int64 { 1 }
        func decode(_ type: UInt.Type) throws -> UInt { 1 }
        func decode(_ type: UInt8.Type) throws -> UInt8 { 1 }
        func decode(_ type: UInt16.Type) throws -> UInt16 { 1 }
        func decode(_ type: UInt32.Type) throws -> UInt32 { 1 }
        func decode(_ type: UInt64.Type) throws -> UInt64 { 1 }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try PopulatingDecoder(codingPath: codingPath).decodeValue(T.self) }
    }
}
