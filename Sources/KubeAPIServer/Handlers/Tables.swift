/// meta.k8s.io/v1 Table output for `kubectl get`: CRD printer columns through the
/// machinery's converter, and kube-apiserver's default columns for built-in kinds.
import Foundation
import KubeCore
import KubeMachinery

enum Tables {
    static func table(for objects: [JSONValue], resource r: ServedResource, includeObject: String,
                      resourceVersion: String?, continueToken: String?) -> JSONValue {
        if r.isCustom {
            return humanizeDates(TableConverter.table(columns: r.printerColumns, objects: objects, includeObject: includeObject,
                                                      resourceVersion: resourceVersion, continueToken: continueToken))
        }
        let columns = builtinColumns(r)
        var definitions: [JSONValue] = []
        for c in columns {
            definitions.append([
                "name": .string(c.name), "type": .string(c.type), "format": .string(c.name == "Name" ? "name" : ""),
                "description": .string(c.description), "priority": .int(Int64(c.priority)),
            ])
        }
        let rows: [JSONValue] = objects.map { o in
            var row: JSONValue = ["cells": .array(columns.map { $0.cell(o) })]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = o
            default: row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o.metadata]
            }
            return row
        }
        var metadata: JSONValue = .emptyObject
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": .array(definitions), "rows": .array(rows)]
    }

    struct Column: Sendable {
        var name: String
        var type = "string"
        var priority = 0
        var description = ""
        var cell: @Sendable (JSONValue) -> JSONValue
    }

    static let nameColumn = Column(name: "Name", description: ObjectMetaDescriptions.name) { .string($0.name ?? "") }
    static let ageColumn = Column(name: "Age", description: ObjectMetaDescriptions.creationTimestamp) {
        .string(age($0[path: ["metadata", "creationTimestamp"]].stringValue))
    }

    static func builtinColumns(_ r: ServedResource) -> [Column] {
        switch r.type {
        case .pod:
            return [
                nameColumn,
                Column(name: "Ready") { o in
                    let total = o[path: ["spec", "containers"]].arrayValue?.count ?? 0
                    let ready = (o[path: ["status", "containerStatuses"]].arrayValue ?? []).filter { $0["ready"].boolValue == true }.count
                    return .string("\(ready)/\(total)")
                },
                Column(name: "Status") { o in
                    if o.deletionTimestamp != nil { return "Terminating" }
                    return .string(o[path: ["status", "reason"]].stringValue ?? o[path: ["status", "phase"]].stringValue ?? "Unknown")
                },
                Column(name: "Restarts", type: "integer") { o in
                    .int((o[path: ["status", "containerStatuses"]].arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"].intValue ?? 0) })
                },
                ageColumn,
                Column(name: "IP", priority: 1) { .string($0[path: ["status", "podIP"]].stringValue ?? "<none>") },
                Column(name: "Node", priority: 1) { .string($0[path: ["spec", "nodeName"]].stringValue ?? "<none>") },
            ]
        case .namespace:
            return [nameColumn, Column(name: "Status") { .string($0[path: ["status", "phase"]].stringValue ?? "") }, ageColumn]
        case .configMap:
            return [nameColumn, Column(name: "Data", type: "integer") { o in
                .int(Int64((o["data"].objectValue?.count ?? 0) + (o["binaryData"].objectValue?.count ?? 0)))
            }, ageColumn]
        case .secret:
            return [nameColumn, Column(name: "Type") { .string($0["type"].stringValue ?? "") },
                    Column(name: "Data", type: "integer") { .int(Int64($0["data"].objectValue?.count ?? 0)) }, ageColumn]
        case .lease:
            return [nameColumn, Column(name: "Holder") { .string($0[path: ["spec", "holderIdentity"]].stringValue ?? "") }, ageColumn]
        case .event:
            return [
                Column(name: "Last Seen") { .string(age($0["lastTimestamp"].stringValue ?? $0[path: ["metadata", "creationTimestamp"]].stringValue)) },
                Column(name: "Type") { .string($0["type"].stringValue ?? "") },
                Column(name: "Reason") { .string($0["reason"].stringValue ?? "") },
                Column(name: "Object") { o in
                    .string("\((o[path: ["involvedObject", "kind"]].stringValue ?? "").lowercased())/\(o[path: ["involvedObject", "name"]].stringValue ?? "")")
                },
                Column(name: "Message") { .string($0["message"].stringValue ?? "") },
                Column(name: "Name", priority: 1) { .string($0.name ?? "") },
            ]
        case .customResourceDefinition:
            return [nameColumn, Column(name: "Created At", type: "date") { .string($0[path: ["metadata", "creationTimestamp"]].stringValue ?? "") }]
        default:
            return [nameColumn, ageColumn]
        }
    }

    /// Date cells rendered as kube-apiserver does (`ConvertToHumanReadableDateType`).
    static func humanizeDates(_ table: JSONValue) -> JSONValue {
        let definitions = table["columnDefinitions"].arrayValue ?? []
        let dateColumns = definitions.indices.filter { definitions[$0]["type"].stringValue == "date" }
        guard !dateColumns.isEmpty, var rows = table["rows"].arrayValue else { return table }
        for i in rows.indices {
            guard var cells = rows[i]["cells"].arrayValue else { continue }
            for c in dateColumns where c < cells.count {
                if let s = cells[c].stringValue { cells[c] = .string(age(s)) }
            }
            rows[i]["cells"] = .array(cells)
        }
        var out = table
        out["rows"] = .array(rows)
        return out
    }

    /// `duration.HumanDuration` of the time since `timestamp`.
    static func age(_ timestamp: String?) -> String {
        guard let timestamp, let date = KubeTime.parse(timestamp) else { return "<unknown>" }
        let seconds = Int(Date().timeIntervalSince(date))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { let s = seconds % 60; return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s" }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { let m = minutes % 60; return m == 0 ? "\(hours)h" : "\(hours)h\(m)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { let h = hours % 24; return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 { let d = (hours / 24) % 365; return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d" }
        return "\(hours / 24 / 365)y"
    }
}
