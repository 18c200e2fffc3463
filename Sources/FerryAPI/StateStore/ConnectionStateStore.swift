/// A Connection's committed connector state: one ConfigMap per Connection, owned by it,
/// holding the state the next Sync's source starts from (API.md, Connection
/// `status.state`). The Sync controller writes it when an attempt ends; a Sync with
/// `refresh: refresh` ignores it and `refresh: clear` empties it.
import Foundation
import KubeCore

public enum ConnectionStateStore {
    public static let stateKey = "state.json"
    /// A large state is stored gzip-compressed under this key of `binaryData` instead.
    public static let compressedStateKey = "state.json.gz"
    public static let syncAnnotation = "ferry.dev/updated-by-sync"
    /// States larger than this (serialized) are compressed; smaller ones stay readable
    /// with `kubectl get configmap -o yaml`.
    public static let compressAbove = 256 << 10
    /// A ConfigMap's data may total 1 MiB (kube-apiserver's limit); the rest is left for
    /// the key names.
    public static let maxStoredBytes = (1 << 20) - 1024

    /// `<connection>-state`; Connection names are DNS subdomains of at most 253 characters,
    /// so a long one is cut to leave room for the suffix.
    public static func configMapName(connection: String) -> String {
        String(connection.prefix(253 - 6)) + "-state"
    }

    /// The stored state; nil when there is none (no ConfigMap, no key, or JSON null).
    public static func state(in configMap: JSONValue) throws(StateStoreError) -> JSONValue? {
        let bytes: [UInt8], key: String
        if let text = configMap["data"][stateKey].stringValue {
            bytes = Array(text.utf8)
            key = stateKey
        } else if let encoded = configMap["binaryData"][compressedStateKey].stringValue {
            key = compressedStateKey
            guard let compressed = Data(base64Encoded: encoded).map(Array.init) else {
                throw StateStoreError(description: "ConfigMap \(configMap.name ?? ""): binaryData key \(key) is not base64")
            }
            do {
                bytes = try Gzip.decompress(compressed)
            } catch {
                throw StateStoreError(description: "ConfigMap \(configMap.name ?? ""): binaryData key \(key): \(error.description)")
            }
        } else {
            return nil
        }
        do {
            let value = try JSONValue.parse(bytes)
            // Not a ternary: `nil` there would be JSONValue's own nil literal, `.null`.
            if value.isNull { return nil }
            return value
        } catch {
            throw StateStoreError(description: "ConfigMap \(configMap.name ?? ""): key \(key) is not valid JSON: \(error)")
        }
    }

    /// How many bytes the state takes in the ConfigMap (compressed, when it is).
    public static func storedBytes(in configMap: JSONValue) -> Int {
        if let text = configMap["data"][stateKey].stringValue { return text.utf8.count }
        if let encoded = configMap["binaryData"][compressedStateKey].stringValue { return Data(base64Encoded: encoded)?.count ?? 0 }
        return 0
    }

    /// The ConfigMap's `data` and `binaryData` holding `state`: plain text up to
    /// `compressAbove` bytes, gzip beyond; an error naming both sizes when even the
    /// compressed state does not fit in a ConfigMap.
    public static func contents(of state: JSONValue?) throws(StateStoreError) -> (data: JSONValue, binaryData: JSONValue) {
        guard let state else { return (.emptyObject, .emptyObject) }
        let text = state.serialized()
        if text.utf8.count <= compressAbove { return ([stateKey: .string(text)], .emptyObject) }
        let compressed: [UInt8]
        do {
            compressed = try Gzip.compress(Array(text.utf8))
        } catch {
            throw StateStoreError(description: "compressing a state of \(text.utf8.count) bytes: \(error.description)")
        }
        guard compressed.count <= maxStoredBytes else {
            throw StateStoreError(description: "the committed state is \(text.utf8.count) bytes, \(compressed.count) bytes gzip-compressed: more than a ConfigMap holds (\(maxStoredBytes) bytes)")
        }
        return (.emptyObject, [compressedStateKey: .string(Data(compressed).base64EncodedString())])
    }

    /// The ConfigMap holding `state` for a Connection, labelled and owned by it;
    /// `sync` names the Sync whose attempt committed it.
    public static func configMap(connection: String, namespace: String, connectionUID: String?, state: JSONValue?, sync: String) throws(StateStoreError) -> JSONValue {
        let contents = try contents(of: state)
        var owner: JSONValue = ["apiVersion": "ferry.dev/v1alpha1", "kind": "Connection", "name": .string(connection)]
        if let connectionUID { owner["uid"] = .string(connectionUID) }
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(configMapName(connection: connection)),
                "namespace": .string(namespace),
                "labels": [
                    "app.kubernetes.io/managed-by": "ferry",
                    "ferry.dev/connection": .string(labelSafe(connection)),
                ],
                "annotations": [syncAnnotation: .string(sync)],
                "ownerReferences": .array(connectionUID == nil ? [] : [owner]),
            ],
            "data": contents.data,
            "binaryData": contents.binaryData,
        ]
    }

    /// Label values are at most 63 characters; longer names are cut (the label is for
    /// selection by humans; the owner reference is what ties the ConfigMap to its Connection).
    static func labelSafe(_ value: String) -> String {
        var cut = String(value.prefix(63))
        while let last = cut.last, !(last.isLetter || last.isNumber) { cut.removeLast() }
        return cut
    }
}

public struct StateStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
