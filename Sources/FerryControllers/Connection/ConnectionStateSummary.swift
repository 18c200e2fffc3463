/// `status.state` of a Connection from its state store ConfigMap (ConnectionStateStore):
/// its name, the size of the committed state, and when it was committed. The ConfigMap
/// carries no time of its own, only the Sync that wrote it last
/// (`ferry.dev/updated-by-sync`); the Sync controller writes the state just before it
/// records the end of that Sync's attempt, so the attempt's end is the commit time. Pure.
import FerryAPI
import Foundation
import KubeCore

public enum ConnectionStateSummary {
    /// nil without a ConfigMap. `writer` is the Sync the annotation names, when it still
    /// exists; `previous` the status' value, kept when the writer is gone (the state has
    /// not changed since it was read, or a later writer would be named).
    public static func state(configMap: JSONValue?, writer: JSONValue?, previous: ConnectionStateRef?, now: Date) -> ConnectionStateRef? {
        guard let configMap, let name = configMap.name else { return nil }
        // As stored: gzip-compressed when the state is large.
        let bytes = Int64(ConnectionStateStore.storedBytes(in: configMap))
        let kept = previous.flatMap { $0.configMapName == name ? $0.updatedAt : nil }
        let ended = (writer?["status"]["attempts"].arrayValue ?? []).compactMap { $0["completionTime"].stringValue.flatMap(KubeTime.parse) }
        let updatedAt: String?
        if let end = ended.max() ?? writer?["status"]["completionTime"].stringValue.flatMap(KubeTime.parse) {
            updatedAt = KubeTime.format(end)
        } else if writer != nil {
            // No ended attempt yet: written a moment ago, just before the attempt's end is
            // recorded (which corrects it). Kept once set, so the status does not churn.
            updatedAt = kept ?? KubeTime.format(now)
        } else {
            updatedAt = kept ?? configMap["metadata"]["creationTimestamp"].stringValue
        }
        return ConnectionStateRef(configMapName: name, updatedAt: updatedAt, bytes: bytes)
    }

    /// The Sync that wrote the state last, as the ConfigMap names it.
    public static func writerName(_ configMap: JSONValue?) -> String? {
        configMap?["metadata"]["annotations"][ConnectionStateStore.syncAnnotation].stringValue
    }
}
