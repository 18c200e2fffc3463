/// Turning a CustomResourceDefinition into served resources (one per served version),
/// validating the CRD itself, and the status the CRD gets once established.
import KubeCore
import KubeMachinery

enum CRDServing {
    /// Validates a CRD and builds what it serves; field errors become a 422 on the CRD.
    static func resources(for crd: JSONValue) -> Result<[ServedResource], CRDErrors> {
        var errors: [FieldError] = []
        let spec = crd["spec"]
        let group = spec["group"].stringValue ?? ""
        let names = spec["names"]
        let plural = names["plural"].stringValue ?? ""
        let kind = names["kind"].stringValue ?? ""
        let scope = spec["scope"].stringValue ?? ""
        if group.isEmpty { errors.append(FieldError(.required, path: "spec.group")) }
        else if !group.contains(".") {
            errors.append(FieldError(.invalid, path: "spec.group", value: .string(group), detail: "should be a domain with at least one dot"))
        }
        if plural.isEmpty { errors.append(FieldError(.required, path: "spec.names.plural")) }
        else if let p = dns1123LabelProblem(plural) {
            errors.append(FieldError(.invalid, path: "spec.names.plural", value: .string(plural), detail: p))
        }
        if kind.isEmpty { errors.append(FieldError(.required, path: "spec.names.kind")) }
        if scope != "Namespaced" && scope != "Cluster" {
            errors.append(FieldError(.notSupported, path: "spec.scope", value: .string(scope), detail: "supported values: \"Cluster\", \"Namespaced\""))
        }
        if let name = crd.name, !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            errors.append(FieldError(.invalid, path: "metadata.name", value: .string(name), detail: "must be spec.names.plural+\".\"+spec.group"))
        }
        let versions = spec["versions"].arrayValue ?? []
        if versions.isEmpty { errors.append(FieldError(.invalid, path: "spec.versions", value: .array([]), detail: "must have exactly one version marked as storage version")) }
        let storageCount = versions.filter { $0["storage"].boolValue == true }.count
        if !versions.isEmpty && storageCount != 1 {
            errors.append(FieldError(.invalid, path: "spec.versions", value: .array(versions), detail: "must have exactly one version marked as storage version"))
        }
        let singular = names["singular"].stringValue ?? kind.lowercased()
        var served: [ServedResource] = []
        for (i, version) in versions.enumerated() {
            let vname = version["name"].stringValue ?? ""
            if vname.isEmpty { errors.append(FieldError(.required, path: "spec.versions[\(i)].name")); continue }
            let openAPI = version[path: ["schema", "openAPIV3Schema"]]
            var schema: StructuralSchema?
            if openAPI.isNull {
                errors.append(FieldError(.required, path: "spec.versions[\(i)].schema.openAPIV3Schema", detail: "schemas are required"))
            } else {
                do {
                    schema = try StructuralSchema(openAPIV3Schema: openAPI)
                } catch {
                    errors += error.errors.map { e in
                        var e = e
                        let prefix = "spec.versions[\(i)].schema.openAPIV3Schema"
                        if !e.path.hasPrefix("spec.") { e.path = e.path.isEmpty ? prefix : "\(prefix).\(e.path)" }
                        return e
                    }
                }
            }
            var columns: [PrinterColumn] = []
            for (j, column) in (version["additionalPrinterColumns"].arrayValue ?? []).enumerated() {
                do {
                    columns.append(try PrinterColumn(crdColumn: column))
                } catch {
                    errors += error.errors.map { e in
                        var e = e
                        e.path = "spec.versions[\(i)].additionalPrinterColumns[\(j)]" + (e.path.isEmpty ? "" : ".\(e.path)")
                        return e
                    }
                }
            }
            var scale: ScaleMapping?
            let scaleSpec = version[path: ["subresources", "scale"]]
            if !scaleSpec.isNull {
                let specPath = scaleSpec["specReplicasPath"].stringValue ?? ""
                let statusPath = scaleSpec["statusReplicasPath"].stringValue ?? ""
                if !specPath.hasPrefix(".spec.") {
                    errors.append(FieldError(.invalid, path: "spec.versions[\(i)].subresources.scale.specReplicasPath", value: .string(specPath), detail: "should be a json path under .spec"))
                }
                if !statusPath.hasPrefix(".status.") {
                    errors.append(FieldError(.invalid, path: "spec.versions[\(i)].subresources.scale.statusReplicasPath", value: .string(statusPath), detail: "should be a json path under .status"))
                }
                scale = ScaleMapping(specReplicasPath: specPath, statusReplicasPath: statusPath,
                                     labelSelectorPath: scaleSpec["labelSelectorPath"].stringValue)
            }
            guard version["served"].boolValue != false else { continue }
            var r = ServedResource(
                type: ResourceType(group: group, version: vname, kind: kind, plural: plural, namespaced: scope != "Cluster"),
                singular: singular)
            r.shortNames = (names["shortNames"].arrayValue ?? []).compactMap(\.stringValue)
            r.categories = (names["categories"].arrayValue ?? []).compactMap(\.stringValue)
            r.hasStatus = !version[path: ["subresources", "status"]].isNull
            r.scale = scale
            r.schema = schema
            if !openAPI.isNull { r.openAPISchema = openAPI }
            r.printerColumns = columns
            r.crdName = crd.name
            r.storageVersion = version["storage"].boolValue == true
            served.append(r)
        }
        return errors.isEmpty ? .success(served) : .failure(CRDErrors(errors: errors))
    }

    /// The status an established CRD reports.
    static func establishedStatus(for crd: JSONValue, now: String) -> JSONValue {
        var accepted = crd[path: ["spec", "names"]]
        if accepted["singular"].isNull { accepted["singular"] = .string((accepted["kind"].stringValue ?? "").lowercased()) }
        if accepted["listKind"].isNull { accepted["listKind"] = .string((accepted["kind"].stringValue ?? "") + "List") }
        let storage = (crd[path: ["spec", "versions"]].arrayValue ?? []).first { $0["storage"].boolValue == true }?["name"] ?? .null
        var stored = (crd[path: ["status", "storedVersions"]].arrayValue ?? [])
        if !storage.isNull && !stored.contains(storage) { stored.append(storage) }
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            let existing = (crd[path: ["status", "conditions"]].arrayValue ?? []).first { $0["type"].stringValue == type }
            let since = existing?["status"].stringValue == "True" ? (existing?["lastTransitionTime"] ?? .string(now)) : .string(now)
            return ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message), "lastTransitionTime": since]
        }
        return [
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
            "acceptedNames": accepted,
            "storedVersions": .array(stored),
        ]
    }
}

struct CRDErrors: Error {
    var errors: [FieldError]
}
