/// A Sync created by hand for a Connection (`ferry sync CONNECTION`), like `kubectl
/// create job --from=cronjob/NAME`: owned by the Connection, so its history limits and
/// deletion apply, with a server-generated name so two triggers never collide.
import FerryAPI
import Foundation
import KubeCore

public enum ManualSync {
    /// The Sync to create for `connection` (the Connection object as read from the server).
    public static func manifest(connection: JSONValue, refresh: RefreshMode? = nil) -> JSONValue {
        let name = connection.name ?? ""
        var spec: JSONValue = ["connectionRef": ["name": .string(name)], "trigger": .string(SyncTrigger.manual.rawValue)]
        if let refresh, refresh != .none { spec["refresh"] = .string(refresh.rawValue) }
        return [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": [
                // The server appends five random characters (and cuts a long prefix).
                "generateName": .string("\(name)-manual-"),
                "namespace": .string(connection.namespace ?? ""),
                "labels": [FerryLabels.managedBy: .string(FerryLabels.managedByValue), FerryLabels.connection: .string(WorkerPodNaming.labelValue(name))],
                "ownerReferences": [[
                    "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection", "name": .string(name),
                    "uid": .string(connection.uid ?? ""), "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": spec,
        ]
    }

    /// One line about a Sync's progress for `--wait`: phase, attempt, records, and why it
    /// waits or failed.
    public static func progressLine(_ sync: JSONValue) -> String {
        let status = sync["status"]
        let phase = status["phase"].stringValue ?? SyncPhase.queued.rawValue
        var parts = ["\(sync.name ?? "") \(phase)"]
        if let attempt = status["attempts"].arrayValue?.last?["number"].intValue { parts.append("attempt \(attempt)") }
        let stats = status["stats"]
        if let emitted = stats["recordsEmitted"].intValue { parts.append("\(emitted) records emitted") }
        if let committed = stats["recordsCommitted"].intValue { parts.append("\(committed) committed") }
        if let reason = explanation(sync) { parts.append(reason) }
        return parts.joined(separator: ", ")
    }

    /// Whether the Sync has finished, and whether it succeeded.
    public static func outcome(_ sync: JSONValue) -> (finished: Bool, succeeded: Bool) {
        guard let phase = sync["status"]["phase"].stringValue.flatMap(SyncPhase.init(rawValue:)) else { return (false, false) }
        return (phase.isTerminal, phase == .succeeded)
    }

    /// Why a queued Sync waits, or why a finished one failed (its Queued or Failed condition).
    static func explanation(_ sync: JSONValue) -> String? {
        let type: String
        switch sync["status"]["phase"].stringValue.flatMap(SyncPhase.init(rawValue:)) {
        case nil, .queued?: type = SyncConditions.queued
        case .failed?, .cancelled?: type = SyncConditions.failed
        default: return nil
        }
        guard let condition = sync["status"]["conditions"].arrayValue?.first(where: { $0["type"].stringValue == type }),
              let reason = condition["reason"].stringValue else { return nil }
        return reason + (condition["message"].stringValue.map { ": \($0)" } ?? "")
    }
}
