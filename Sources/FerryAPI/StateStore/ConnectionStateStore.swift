/// A Connection's committed connector state: one ConfigMap per Connection, owned by it,
/// holding the state the next Sync's source starts from (API.md, Connection
/// `status.state`). The Sync controller writes it when an attempt ends; a Sync with
/// `refresh: refresh` ignores it and `refresh: clear` empties it.
import KubeCore

public enum ConnectionStateStore {
    public static let stateKey = "state.json"
    public static let syncAnnotation = "ferry.dev/updated-by-sync"

    /// `<connection>-state`; Connection names are DNS subdomains of at most 253 characters,
    /// so a long one is cut to leave room for the suffix.
    public static func configMapName(connection: String) -> String {
        String(connection.prefix(253 - 6)) + "-state"
    }

    /// The stored state; nil when there is none (no ConfigMap, no key, or JSON null).
    public static func state(in configMap: JSONValue) throws(StateStoreError) -> JSONValue? {
        guard let text = configMap["data"][stateKey].stringValue else { return nil }
        do {
            let value = try JSONValue.parse(text)
            // Not a ternary: `nil` there would be JSONValue's own nil literal, `.null`.
            if value.isNull { return nil }
            return value
        } catch {
            throw StateStoreError(description: "ConfigMap \(configMap.name ?? ""): key \(stateKey) is not valid JSON: \(error)")
        }
    }

    /// The ConfigMap holding `state` for a Connection, labelled and owned by it;
    /// `sync` names the Sync whose attempt committed it.
    public static func configMap(connection: String, namespace: String, connectionUID: String?, state: JSONValue?, sync: String) -> JSONValue {
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
            "data": state.map { [stateKey: .string($0.serialized())] } ?? .emptyObject,
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
