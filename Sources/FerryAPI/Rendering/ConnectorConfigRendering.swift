/// A connector's effective configuration: `spec.config` with each `secretRefs` value placed
/// at its JSON pointer. Pure: secret values come from a lookup the caller supplies (the
/// cluster's Secrets in a worker pod, manifests, files or the environment in `ferry run`).
import KubeCore
import KubeMachinery

/// What a secret lookup found for one `(secret, key)`.
public enum SecretLookupResult: Sendable, Hashable {
    case value(String)
    case secretNotFound
    case keyNotFound
    /// The lookup cannot tell which of the two is missing.
    case notFound
}

/// Why a connector's configuration could not be rendered. The message names the ref
/// (index, pointer, Secret and key), never a secret value.
public struct ConfigRenderingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The condition reason a Source or Destination reports (API.md).
    public enum Reason: String, Sendable, Hashable {
        case secretNotFound = "SecretNotFound"
        case secretKeyNotFound = "SecretKeyNotFound"
        case invalidConfig = "InvalidConfig"
    }
    public var reason: Reason
    public var message: String
    public var description: String { message }
    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}

public enum ConnectorConfigRendering {
    /// Renders `spec.config` with its secrets. An absent config is `{}`.
    public static func render(_ spec: ConnectorSpec, secrets lookup: (_ secret: String, _ key: String) -> SecretLookupResult) throws(ConfigRenderingError) -> JSONValue {
        var config = spec.config ?? .emptyObject
        guard case .object = config else {
            throw ConfigRenderingError(reason: .invalidConfig, message: "spec.config must be an object, not \(config.typeName)")
        }
        for (index, ref) in (spec.secretRefs ?? []).enumerated() {
            let what = "spec.secretRefs[\(index)] (path \(ref.path), Secret \"\(ref.secretKeyRef.name)\" key \"\(ref.secretKeyRef.key)\")"
            if let problem = JSONPointer.problem(in: ref.path) {
                throw ConfigRenderingError(reason: .invalidConfig, message: "\(what): invalid path: \(problem)")
            }
            let value: String
            switch lookup(ref.secretKeyRef.name, ref.secretKeyRef.key) {
            case .value(let v): value = v
            case .secretNotFound:
                throw ConfigRenderingError(reason: .secretNotFound, message: "\(what): Secret \"\(ref.secretKeyRef.name)\" not found")
            case .keyNotFound:
                throw ConfigRenderingError(reason: .secretKeyNotFound, message: "\(what): Secret \"\(ref.secretKeyRef.name)\" has no key \"\(ref.secretKeyRef.key)\"")
            case .notFound:
                throw ConfigRenderingError(reason: .secretNotFound, message: "\(what): no value for Secret \"\(ref.secretKeyRef.name)\" key \"\(ref.secretKeyRef.key)\"")
            }
            let tokens: [String]
            do { tokens = try JSONPointer.tokens(ref.path) } catch {
                throw ConfigRenderingError(reason: .invalidConfig, message: "\(what): invalid path: \(error.message)")
            }
            do {
                config = try placing(.string(value), at: tokens[...], in: config, parent: "")
            } catch {
                throw ConfigRenderingError(reason: .invalidConfig, message: "\(what): \(error.message)")
            }
        }
        return config
    }

    /// Convenience for lookups that cannot tell a missing Secret from a missing key.
    public static func render(_ spec: ConnectorSpec, secretValue: (_ secret: String, _ key: String) -> String?) throws(ConfigRenderingError) -> JSONValue {
        try render(spec) { secret, key in secretValue(secret, key).map(SecretLookupResult.value) ?? .notFound }
    }

    struct PlacementError: Error { var message: String }

    /// `doc` with `value` at `tokens`, creating missing objects on the way. An existing
    /// array element may be replaced; anything else in the way (a string, a number, an
    /// index past the end) is an error, since overwriting it would silently lose config.
    static func placing(_ value: JSONValue, at tokens: ArraySlice<String>, in doc: JSONValue, parent: String) throws(PlacementError) -> JSONValue {
        guard let token = tokens.first else { return value }
        let here = parent + "/" + JSONPointer.escape(token)
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var members):
            members[token] = try placing(value, at: rest, in: members[token] ?? .emptyObject, parent: here)
            return .object(members)
        case .array(var items):
            guard let i = arrayIndex(token), i < items.count else {
                throw PlacementError(message: "\(parent.isEmpty ? "/" : parent) is an array of \(items.count) and \"\(token)\" is not an index in it")
            }
            items[i] = try placing(value, at: rest, in: items[i], parent: here)
            return .array(items)
        case .null:
            return .object([token: try placing(value, at: rest, in: .emptyObject, parent: here)])
        default:
            throw PlacementError(message: "\(parent) is a \(doc.typeName) in spec.config, not an object")
        }
    }

    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }), token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }
}
