/// `PolicyRule.allows` decides as Kubernetes' RBAC authorizer does (`rbac/v1.RuleAllows`):
/// verbs, groups and resources with `*`, subresources as `resource/subresource`, and
/// resourceNames only for named requests.
import KubeCore
import Testing

@Suite struct PolicyRuleTests {
    @Test func verbGroupAndResourceMustAllMatch() {
        let rule = PolicyRule(apiGroups: [""], resources: ["pods"], verbs: ["get", "list"])
        #expect(rule.allows(verb: "get", group: "", resource: "pods"))
        #expect(rule.allows(verb: "list", group: "", resource: "pods"))
        #expect(!rule.allows(verb: "delete", group: "", resource: "pods"))
        #expect(!rule.allows(verb: "get", group: "apps", resource: "pods"))
        #expect(!rule.allows(verb: "get", group: "", resource: "secrets"))
    }

    @Test func aSubresourceNeedsItsOwnEntry() {
        let object = PolicyRule(apiGroups: ["ferry.dev"], resources: ["syncs"], verbs: ["update"])
        #expect(!object.allows(verb: "update", group: "ferry.dev", resource: "syncs", subresource: "status"))
        let status = PolicyRule(apiGroups: ["ferry.dev"], resources: ["syncs/status"], verbs: ["update"])
        #expect(status.allows(verb: "update", group: "ferry.dev", resource: "syncs", subresource: "status"))
        #expect(!status.allows(verb: "update", group: "ferry.dev", resource: "syncs"))
        #expect(!status.allows(verb: "update", group: "ferry.dev", resource: "syncs", subresource: "scale"))
    }

    @Test func wildcards() {
        #expect(PolicyRule(apiGroups: ["*"], resources: ["*"], verbs: ["*"]).allows(verb: "deletecollection", group: "x.io", resource: "things", subresource: "status"))
        #expect(PolicyRule(apiGroups: [""], resources: ["pods/*"], verbs: ["get"]).allows(verb: "get", group: "", resource: "pods", subresource: "log"))
        #expect(!PolicyRule(apiGroups: [""], resources: ["pods/*"], verbs: ["get"]).allows(verb: "get", group: "", resource: "pods"))
        #expect(PolicyRule(apiGroups: [""], resources: ["*/status"], verbs: ["get"]).allows(verb: "get", group: "", resource: "pods", subresource: "status"))
        #expect(!PolicyRule(apiGroups: [""], resources: ["*/status"], verbs: ["get"]).allows(verb: "get", group: "", resource: "pods", subresource: "log"))
    }

    @Test func resourceNamesOnlyAllowNamedRequests() {
        let rule = PolicyRule(apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "update", "create", "list"], resourceNames: ["ferry-operator"])
        #expect(rule.allows(verb: "get", group: "coordination.k8s.io", resource: "leases", name: "ferry-operator"))
        #expect(!rule.allows(verb: "get", group: "coordination.k8s.io", resource: "leases", name: "other"))
        #expect(!rule.allows(verb: "create", group: "coordination.k8s.io", resource: "leases"))
        #expect(!rule.allows(verb: "list", group: "coordination.k8s.io", resource: "leases"))
    }

    @Test func readsBackFromItsJSON() {
        let rule = PolicyRule(apiGroups: [""], resources: ["configmaps"], verbs: ["patch"], resourceNames: ["a"])
        #expect(PolicyRule(json: rule.json) == rule)
        #expect(rule.json["resourceNames"] == ["a"])
        #expect(PolicyRule(apiGroups: [""], resources: ["x"], verbs: ["get"]).json["resourceNames"].isNull)
        #expect(PolicyRule(json: ["apiGroups": [""], "verbs": ["get"]]) == nil)
    }
}
