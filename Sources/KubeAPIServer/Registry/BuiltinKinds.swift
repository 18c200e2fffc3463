/// The built-in kinds the server serves, with their discovery data and the minimal
/// validation a client would notice (names, required fields).
import KubeCore
import KubeMachinery

enum BuiltinKinds {
    static let all: [ServedResource] = [
        ServedResource(type: .namespace, singular: "namespace", shortNames: ["ns"], hasStatus: true,
                       extraSubresources: ["finalize"]),
        ServedResource(type: .node, singular: "node", shortNames: ["no"], hasStatus: true),
        ServedResource(type: .pod, singular: "pod", shortNames: ["po"], categories: ["all"], hasStatus: true,
                       extraSubresources: ["binding", "eviction", "log"]),
        ServedResource(type: .secret, singular: "secret"),
        ServedResource(type: .configMap, singular: "configmap", shortNames: ["cm"]),
        ServedResource(type: .event, singular: "event", shortNames: ["ev"]),
        ServedResource(type: .eventsV1, singular: "event", shortNames: ["ev"]),
        ServedResource(type: .serviceAccount, singular: "serviceaccount", shortNames: ["sa"]),
        ServedResource(type: .lease, singular: "lease"),
        ServedResource(type: .customResourceDefinition, singular: "customresourcedefinition", shortNames: ["crd", "crds"],
                       categories: ["api-extensions"], hasStatus: true),
    ] + InstallationKinds.served

    /// Kind-specific validation of a built-in object about to be stored.
    static func validate(_ object: JSONValue, resource: ServedResource) -> [FieldError] {
        var errors: [FieldError] = []
        switch resource.type {
        case .pod:
            let containers = object[path: ["spec", "containers"]].arrayValue ?? []
            if containers.isEmpty {
                errors.append(FieldError(.required, path: "spec.containers"))
            }
            var seen = Set<String>()
            for (i, c) in containers.enumerated() {
                guard let name = c["name"].stringValue, !name.isEmpty else {
                    errors.append(FieldError(.required, path: "spec.containers[\(i)].name"))
                    continue
                }
                if let problem = dns1123LabelProblem(name) {
                    errors.append(FieldError(.invalid, path: "spec.containers[\(i)].name", value: .string(name), detail: problem))
                }
                if !seen.insert(name).inserted {
                    errors.append(FieldError(.duplicate, path: "spec.containers[\(i)].name", value: .string(name)))
                }
                if (c["image"].stringValue ?? "").isEmpty {
                    errors.append(FieldError(.required, path: "spec.containers[\(i)].image"))
                }
            }
        case .configMap, .secret:
            for field in ["data", "binaryData", "stringData"] {
                for key in (object[field].objectValue ?? [:]).keys.sorted() where !isConfigMapKey(key) {
                    errors.append(FieldError(.invalid, path: "\(field)[\(key)]", value: .string(key),
                                             detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"))
                }
            }
        case .lease:
            if let d = object[path: ["spec", "leaseDurationSeconds"]].intValue, d <= 0 {
                errors.append(FieldError(.invalid, path: "spec.leaseDurationSeconds", value: .int(d), detail: "must be greater than 0"))
            }
        case .event:
            if object[path: ["involvedObject"]].isNull && object["regarding"].isNull {
                // kube-apiserver requires involvedObject.namespace to match; an empty reference is accepted.
            }
        default:
            errors += InstallationKinds.validate(object, resource: resource)
        }
        return errors
    }

    private static func isConfigMapKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 253 && key != "." && key != ".."
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// Selectable fields beyond metadata.name / metadata.namespace, per kind (as the registries define them).
    static func selectableFields(_ object: JSONValue, resource: ServedResource) -> [String: String] {
        var fields: [String: String] = [
            "metadata.name": object.name ?? "",
            "metadata.namespace": object.namespace ?? "",
        ]
        switch resource.type {
        case .pod:
            fields["status.phase"] = object[path: ["status", "phase"]].stringValue ?? ""
            fields["spec.nodeName"] = object[path: ["spec", "nodeName"]].stringValue ?? ""
            fields["spec.restartPolicy"] = object[path: ["spec", "restartPolicy"]].stringValue ?? ""
            fields["spec.schedulerName"] = object[path: ["spec", "schedulerName"]].stringValue ?? ""
            fields["spec.serviceAccountName"] = object[path: ["spec", "serviceAccountName"]].stringValue ?? ""
            fields["status.podIP"] = object[path: ["status", "podIP"]].stringValue ?? ""
            fields["status.nominatedNodeName"] = object[path: ["status", "nominatedNodeName"]].stringValue ?? ""
        case .event, .eventsV1:
            let involved = resource.type == .event ? object["involvedObject"] : object["regarding"]
            for key in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] {
                fields["involvedObject.\(key)"] = involved[key].stringValue ?? ""
                if resource.type == .eventsV1 { fields["regarding.\(key)"] = involved[key].stringValue ?? "" }
            }
            fields["reason"] = object["reason"].stringValue ?? ""
            fields["type"] = object["type"].stringValue ?? ""
            fields["reportingComponent"] = object["reportingComponent"].stringValue ?? ""
            let source = object[path: ["source", "component"]].stringValue ?? object["reportingController"].stringValue ?? ""
            fields["source"] = source
            fields["reportingController"] = object["reportingController"].stringValue ?? ""
        case .secret:
            fields["type"] = object["type"].stringValue ?? ""
        case .namespace:
            fields["status.phase"] = object[path: ["status", "phase"]].stringValue ?? ""
        case .node:
            fields["spec.unschedulable"] = object[path: ["spec", "unschedulable"]].boolValue.map { String($0) } ?? "false"
        default:
            break
        }
        return fields
    }
}
