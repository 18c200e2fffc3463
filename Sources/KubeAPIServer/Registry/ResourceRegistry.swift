/// Which resources are served at which group/version: the built-ins plus every version
/// of every established CRD. Also answers discovery questions (groups, preferred versions).
import KubeCore
import KubeMachinery

struct ResourceRegistry: Sendable {
    private(set) var byGroupVersion: [GroupVersion: [String: ServedResource]] = [:]
    private(set) var crdResources: [String: [ServedResource]] = [:]

    init() {
        for r in BuiltinKinds.all { add(r) }
    }

    private mutating func add(_ r: ServedResource) {
        byGroupVersion[r.type.gvk.groupVersion, default: [:]][r.type.plural] = r
    }

    func lookup(_ gv: GroupVersion, plural: String) -> ServedResource? {
        byGroupVersion[gv]?[plural]
    }

    /// The served resource for an object's apiVersion + kind (owner references, body checks).
    func lookup(apiVersion: String, kind: String) -> ServedResource? {
        guard let gv = GroupVersion(apiVersion: apiVersion) else { return nil }
        return byGroupVersion[gv]?.values.first { $0.type.kind == kind }
    }

    /// Any served version of a storage key (for namespace cleanup and GC, which are version-agnostic).
    func anyVersion(storageKey: String) -> ServedResource? {
        var best: ServedResource?
        for resources in byGroupVersion.values {
            for r in resources.values where r.storageKey == storageKey {
                if best == nil || r.storageVersion { best = r }
            }
        }
        return best
    }

    /// Every storage key with one representative resource.
    var storageKeys: [String: ServedResource] {
        var out: [String: ServedResource] = [:]
        for resources in byGroupVersion.values {
            for r in resources.values where out[r.storageKey] == nil || r.storageVersion { out[r.storageKey] = r }
        }
        return out
    }

    mutating func setCRD(_ name: String, resources: [ServedResource]) {
        removeCRD(name)
        crdResources[name] = resources
        for r in resources { add(r) }
    }

    mutating func removeCRD(_ name: String) {
        guard let old = crdResources.removeValue(forKey: name) else { return }
        for r in old {
            let gv = r.type.gvk.groupVersion
            byGroupVersion[gv]?[r.type.plural] = nil
            if byGroupVersion[gv]?.isEmpty == true { byGroupVersion[gv] = nil }
        }
    }

    /// Named groups in discovery order: built-in groups first, then CRD groups by name;
    /// versions in Kubernetes version priority (GA > beta > alpha, higher numbers first).
    var groups: [(name: String, versions: [String])] {
        var versionsByGroup: [String: Set<String>] = [:]
        for gv in byGroupVersion.keys where !gv.group.isEmpty { versionsByGroup[gv.group, default: []].insert(gv.version) }
        // kube-apiserver's order (which also decides which group wins an ambiguous short name).
        let builtinOrder = ["apps", "events.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
                            "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io"]
        let names = versionsByGroup.keys.sorted { a, b in
            let ia = builtinOrder.firstIndex(of: a) ?? Int.max
            let ib = builtinOrder.firstIndex(of: b) ?? Int.max
            return ia != ib ? ia < ib : a < b
        }
        return names.map { name in (name, (versionsByGroup[name] ?? []).sorted(by: Self.versionHigherPriority)) }
    }

    /// `version.CompareKubeAwareVersionStrings`: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > others (alphabetical).
    static func versionHigherPriority(_ a: String, _ b: String) -> Bool {
        func parse(_ v: String) -> (major: Int, stage: Int, minor: Int)? {
            guard v.hasPrefix("v") else { return nil }
            let rest = v.dropFirst()
            let digits = rest.prefix { $0.isNumber }
            guard let major = Int(digits) else { return nil }
            let tail = rest.dropFirst(digits.count)
            if tail.isEmpty { return (major, 2, 0) }
            for (stage, word) in [(1, "beta"), (0, "alpha")] where tail.hasPrefix(word) {
                guard let minor = Int(tail.dropFirst(word.count)) else { return nil }
                return (major, stage, minor)
            }
            return nil
        }
        switch (parse(a), parse(b)) {
        case let (pa?, pb?):
            if pa.stage != pb.stage { return pa.stage > pb.stage }
            if pa.major != pb.major { return pa.major > pb.major }
            return pa.minor > pb.minor
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }
}
