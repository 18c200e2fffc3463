/// An RBAC `PolicyRule` (rbac.authorization.k8s.io/v1) and the question the authorizer asks
/// of it: does it allow this verb on this resource? Pure, so the operator's declared rules
/// can be checked against the requests it really makes without a real RBAC authorizer.
public struct PolicyRule: Sendable, Hashable {
    /// The wildcard kube-apiserver accepts in every list.
    public static let all = "*"

    public var apiGroups: [String]
    /// Plural resource names; a subresource is `resource/subresource` (`syncs/status`).
    public var resources: [String]
    public var verbs: [String]
    /// When non-empty, only objects of these names; `create`, `list`, `watch` and
    /// `deletecollection` requests have no name and are never allowed by such a rule.
    public var resourceNames: [String]

    public init(apiGroups: [String], resources: [String], verbs: [String], resourceNames: [String] = []) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
    }

    /// Whether a request is allowed, as `rbac/v1.RuleAllows` decides it: the verb, the API
    /// group and `resource[/subresource]` each match (or the rule's list has `*`;
    /// `x/*` matches every subresource of `x`, `*/y` subresource `y` of every resource), and
    /// the name is one of `resourceNames` when the rule lists any.
    public func allows(verb: String, group: String, resource: String, subresource: String? = nil, name: String? = nil) -> Bool {
        guard verbs.contains(Self.all) || verbs.contains(verb) else { return false }
        guard apiGroups.contains(Self.all) || apiGroups.contains(group) else { return false }
        guard matchesResource(resource, subresource: subresource) else { return false }
        if resourceNames.isEmpty { return true }
        guard let name, !name.isEmpty else { return false }
        return resourceNames.contains(name)
    }

    private func matchesResource(_ resource: String, subresource: String?) -> Bool {
        let combined = subresource.map { "\(resource)/\($0)" } ?? resource
        for candidate in resources {
            if candidate == Self.all || candidate == combined { return true }
            guard let subresource else { continue }
            if candidate == "\(resource)/*" || candidate == "*/\(subresource)" { return true }
        }
        return false
    }

    /// The rule as it appears in a Role or ClusterRole; `resourceNames` only when set.
    public var json: JSONValue {
        var out: JSONValue = [
            "apiGroups": .array(apiGroups.map(JSONValue.string)),
            "resources": .array(resources.map(JSONValue.string)),
            "verbs": .array(verbs.map(JSONValue.string)),
        ]
        if !resourceNames.isEmpty { out["resourceNames"] = .array(resourceNames.map(JSONValue.string)) }
        return out
    }

    /// Reads a rule from a Role's `rules` entry; nil when a required list is missing.
    public init?(json: JSONValue) {
        func strings(_ key: String) -> [String]? { json[key].arrayValue.map { $0.compactMap(\.stringValue) } }
        guard let apiGroups = strings("apiGroups"), let resources = strings("resources"), let verbs = strings("verbs") else { return nil }
        self.init(apiGroups: apiGroups, resources: resources, verbs: verbs, resourceNames: strings("resourceNames") ?? [])
    }
}
