/// The built-in kinds an operator's installation manifests contain (`manifests/`, the Helm
/// chart): Deployment, Service, PodDisruptionBudget, NetworkPolicy, PriorityClass and the
/// RBAC kinds. They are stored and served like every other kind; no controller acts on them
/// (a Deployment creates no pods here), so only what a client would notice is modelled:
/// discovery, the Deployment's status and scale subresources, the defaults kube-apiserver
/// fills in, and the validation errors `kubectl apply` would get from a real server.
import KubeCore
import KubeMachinery

extension ResourceType {
    static let deployment = ResourceType(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    static let service = ResourceType(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true)
    static let podDisruptionBudget = ResourceType(group: "policy", version: "v1", kind: "PodDisruptionBudget",
                                                  plural: "poddisruptionbudgets", namespaced: true)
    static let networkPolicy = ResourceType(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy",
                                            plural: "networkpolicies", namespaced: true)
    static let priorityClass = ResourceType(group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass",
                                            plural: "priorityclasses", namespaced: false)
    static let clusterRole = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole",
                                          plural: "clusterroles", namespaced: false)
    static let clusterRoleBinding = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding",
                                                 plural: "clusterrolebindings", namespaced: false)
    static let role = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", namespaced: true)
    static let roleBinding = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding",
                                          plural: "rolebindings", namespaced: true)
}

enum InstallationKinds {
    /// Discovery data as kube-apiserver 1.32 publishes it (short names, the `all` category).
    static let served: [ServedResource] = [
        ServedResource(type: .deployment, singular: "deployment", shortNames: ["deploy"], categories: ["all"], hasStatus: true,
                       scale: ScaleMapping(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas")),
        ServedResource(type: .service, singular: "service", shortNames: ["svc"], categories: ["all"], hasStatus: true),
        ServedResource(type: .podDisruptionBudget, singular: "poddisruptionbudget", shortNames: ["pdb"], hasStatus: true),
        ServedResource(type: .networkPolicy, singular: "networkpolicy", shortNames: ["netpol"]),
        ServedResource(type: .priorityClass, singular: "priorityclass", shortNames: ["pc"]),
        ServedResource(type: .clusterRole, singular: "clusterrole"),
        ServedResource(type: .clusterRoleBinding, singular: "clusterrolebinding"),
        ServedResource(type: .role, singular: "role"),
        ServedResource(type: .roleBinding, singular: "rolebinding"),
    ]

    /// `PrepareForCreate` and the defaulting functions of these kinds: a fresh Deployment
    /// has an empty status and the apps/v1 defaults; a Service port targets itself over TCP.
    static func createDefaults(_ object: JSONValue, resource r: ServedResource) -> JSONValue {
        var obj = object
        switch r.type {
        case .deployment:
            obj["status"] = .emptyObject
            if obj[path: ["spec", "replicas"]].isNull { obj[path: ["spec", "replicas"]] = 1 }
            if obj[path: ["spec", "revisionHistoryLimit"]].isNull { obj[path: ["spec", "revisionHistoryLimit"]] = 10 }
            if obj[path: ["spec", "progressDeadlineSeconds"]].isNull { obj[path: ["spec", "progressDeadlineSeconds"]] = 600 }
            if obj[path: ["spec", "strategy"]].isNull {
                obj[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]]
            }
        case .service:
            obj["status"] = ["loadBalancer": .emptyObject]
            if obj[path: ["spec", "type"]].isNull { obj[path: ["spec", "type"]] = "ClusterIP" }
            if obj[path: ["spec", "sessionAffinity"]].isNull { obj[path: ["spec", "sessionAffinity"]] = "None" }
            if var ports = obj[path: ["spec", "ports"]].arrayValue {
                for i in ports.indices {
                    if ports[i]["protocol"].isNull { ports[i]["protocol"] = "TCP" }
                    if ports[i]["targetPort"].isNull { ports[i]["targetPort"] = ports[i]["port"] }
                }
                obj[path: ["spec", "ports"]] = .array(ports)
            }
        case .podDisruptionBudget:
            obj["status"] = nil
        case .priorityClass:
            if obj["preemptionPolicy"].isNull { obj["preemptionPolicy"] = "PreemptLowerPriority" }
        default:
            break
        }
        return obj
    }

    /// The field errors kube-apiserver's validation of these kinds reports most often.
    static func validate(_ object: JSONValue, resource r: ServedResource) -> [FieldError] {
        switch r.type {
        case .deployment: return validateDeployment(object)
        case .service: return validateService(object)
        case .podDisruptionBudget:
            if !object[path: ["spec", "minAvailable"]].isNull && !object[path: ["spec", "maxUnavailable"]].isNull {
                return [FieldError(.invalid, path: "spec", value: object["spec"], detail: "minAvailable and maxUnavailable cannot be both set")]
            }
            return []
        case .networkPolicy:
            return (object[path: ["spec", "policyTypes"]].arrayValue ?? []).enumerated().compactMap { i, type in
                ["Ingress", "Egress"].contains(type.stringValue ?? "") ? nil
                    : FieldError(.notSupported, path: "spec.policyTypes[\(i)]", value: type, detail: "supported values: \"Egress\", \"Ingress\"")
            }
        case .priorityClass: return validatePriorityClass(object)
        case .clusterRole, .role: return validateRules(object, clusterScoped: r.type == .clusterRole)
        case .clusterRoleBinding, .roleBinding: return validateBinding(object, clusterScoped: r.type == .clusterRoleBinding)
        default: return []
        }
    }

    private static func validateDeployment(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = object["spec"]
        if let replicas = spec["replicas"].intValue, replicas < 0 {
            errors.append(FieldError(.invalid, path: "spec.replicas", value: .int(replicas), detail: "must be greater than or equal to 0"))
        }
        let templateLabels = (spec[path: ["template", "metadata", "labels"]].objectValue ?? [:]).compactMapValues(\.stringValue)
        if spec["selector"].isNull {
            errors.append(FieldError(.required, path: "spec.selector"))
        } else if let selector = try? LabelSelector(labelSelectorObject: spec["selector"]) {
            if selector.isEverything {
                errors.append(FieldError(.invalid, path: "spec.selector", value: spec["selector"], detail: "empty selector is invalid for deployment"))
            } else if !selector.matches(templateLabels) {
                errors.append(FieldError(.invalid, path: "spec.template.metadata.labels", value: spec[path: ["template", "metadata", "labels"]],
                                         detail: "`selector` does not match template `labels`"))
            }
        } else {
            errors.append(FieldError(.invalid, path: "spec.selector", value: spec["selector"], detail: "invalid label selector"))
        }
        var template = JSONValue.emptyObject
        template["spec"] = spec[path: ["template", "spec"]]
        errors += BuiltinKinds.validate(template, resource: ServedResource(type: .pod, singular: "pod")).map { e in
            var e = e
            e.path = "spec.template." + e.path
            return e
        }
        let restartPolicy = spec[path: ["template", "spec", "restartPolicy"]].stringValue ?? "Always"
        if restartPolicy != "Always" {
            errors.append(FieldError(.notSupported, path: "spec.template.spec.restartPolicy", value: .string(restartPolicy),
                                     detail: "supported values: \"Always\""))
        }
        return errors
    }

    private static func validateService(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let type = object[path: ["spec", "type"]].stringValue ?? "ClusterIP"
        let supported = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
        if !supported.contains(type) {
            errors.append(FieldError(.notSupported, path: "spec.type", value: .string(type),
                                     detail: "supported values: " + supported.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        let ports = object[path: ["spec", "ports"]].arrayValue ?? []
        let headless = object[path: ["spec", "clusterIP"]].stringValue == "None"
        if ports.isEmpty && type != "ExternalName" && !headless {
            errors.append(FieldError(.required, path: "spec.ports"))
        }
        var names = Set<String>()
        for (i, port) in ports.enumerated() {
            let name = port["name"].stringValue ?? ""
            if ports.count > 1 && name.isEmpty { errors.append(FieldError(.required, path: "spec.ports[\(i)].name")) }
            if !name.isEmpty && !names.insert(name).inserted {
                errors.append(FieldError(.duplicate, path: "spec.ports[\(i)].name", value: .string(name)))
            }
            guard let number = port["port"].intValue else {
                errors.append(FieldError(.required, path: "spec.ports[\(i)].port"))
                continue
            }
            if !(1...65535).contains(number) {
                errors.append(FieldError(.invalid, path: "spec.ports[\(i)].port", value: .int(number), detail: "must be between 1 and 65535, inclusive"))
            }
        }
        return errors
    }

    /// `HighestUserDefinablePriority`: larger values are reserved for system classes.
    static let highestUserDefinablePriority: Int64 = 1_000_000_000

    private static func validatePriorityClass(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        if let name = object.name, name.hasPrefix("system-") {
            errors.append(FieldError(.forbidden, path: "metadata.name", detail: "priority class names with 'system-' prefix are reserved"))
        }
        guard let value = object["value"].intValue else {
            return errors + [FieldError(.required, path: "value")]
        }
        if value > highestUserDefinablePriority {
            errors.append(FieldError(.forbidden, path: "value", detail: "maximum allowed value of a user defined priority is \(highestUserDefinablePriority)"))
        }
        if let policy = object["preemptionPolicy"].stringValue, !["Never", "PreemptLowerPriority"].contains(policy) {
            errors.append(FieldError(.notSupported, path: "preemptionPolicy", value: .string(policy),
                                     detail: "supported values: \"Never\", \"PreemptLowerPriority\""))
        }
        return errors
    }

    private static func validateRules(_ object: JSONValue, clusterScoped: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        for (i, rule) in (object["rules"].arrayValue ?? []).enumerated() {
            let path = "rules[\(i)]"
            if (rule["verbs"].arrayValue ?? []).isEmpty {
                errors.append(FieldError(.required, path: path + ".verbs", detail: "verbs must contain at least one value"))
            }
            let urls = rule["nonResourceURLs"].arrayValue ?? []
            if !urls.isEmpty {
                if !clusterScoped {
                    errors.append(FieldError(.invalid, path: path + ".nonResourceURLs", value: rule["nonResourceURLs"],
                                             detail: "namespaced rules cannot apply to non-resource URLs"))
                }
                if !(rule["apiGroups"].arrayValue ?? []).isEmpty || !(rule["resources"].arrayValue ?? []).isEmpty {
                    errors.append(FieldError(.invalid, path: path + ".nonResourceURLs", value: rule["nonResourceURLs"],
                                             detail: "rules cannot apply to both regular resources and non-resource URLs"))
                }
                continue
            }
            if rule["apiGroups"].arrayValue == nil {
                errors.append(FieldError(.required, path: path + ".apiGroups", detail: "resource rules must supply at least one api group"))
            }
            if (rule["resources"].arrayValue ?? []).isEmpty {
                errors.append(FieldError(.required, path: path + ".resources", detail: "resource rules must supply at least one resource"))
            }
        }
        return errors
    }

    private static func validateBinding(_ object: JSONValue, clusterScoped: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        let roleRef = object["roleRef"]
        let kind = roleRef["kind"].stringValue ?? ""
        let allowed = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"]
        if !allowed.contains(kind) {
            errors.append(FieldError(.notSupported, path: "roleRef.kind", value: .string(kind),
                                     detail: "supported values: " + allowed.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        if roleRef["apiGroup"].stringValue != "rbac.authorization.k8s.io" {
            errors.append(FieldError(.notSupported, path: "roleRef.apiGroup", value: roleRef["apiGroup"],
                                     detail: "supported values: \"rbac.authorization.k8s.io\""))
        }
        if (roleRef["name"].stringValue ?? "").isEmpty { errors.append(FieldError(.required, path: "roleRef.name")) }
        for (i, subject) in (object["subjects"].arrayValue ?? []).enumerated() {
            let path = "subjects[\(i)]"
            let kind = subject["kind"].stringValue ?? ""
            if (subject["name"].stringValue ?? "").isEmpty { errors.append(FieldError(.required, path: path + ".name")) }
            switch kind {
            case "ServiceAccount":
                if clusterScoped && (subject["namespace"].stringValue ?? "").isEmpty {
                    errors.append(FieldError(.required, path: path + ".namespace"))
                }
            case "User", "Group":
                break
            default:
                errors.append(FieldError(.notSupported, path: path + ".kind", value: .string(kind),
                                         detail: "supported values: \"Group\", \"ServiceAccount\", \"User\""))
            }
        }
        return errors
    }

    /// Fields kube-apiserver refuses to change once set ("field is immutable"): a
    /// Deployment's selector, a binding's roleRef, a PriorityClass's value.
    static func immutabilityErrors(_ object: JSONValue, old: JSONValue, resource r: ServedResource) -> [FieldError] {
        switch r.type {
        case .deployment where object[path: ["spec", "selector"]] != old[path: ["spec", "selector"]]:
            return [FieldError(.invalid, path: "spec.selector", value: object[path: ["spec", "selector"]], detail: "field is immutable")]
        case .clusterRoleBinding where object["roleRef"] != old["roleRef"], .roleBinding where object["roleRef"] != old["roleRef"]:
            return [FieldError(.invalid, path: "roleRef", value: object["roleRef"], detail: "cannot change roleRef")]
        case .priorityClass where object["value"] != old["value"]:
            return [FieldError(.forbidden, path: "value", detail: "may not be changed in an update.")]
        default:
            return []
        }
    }
}
