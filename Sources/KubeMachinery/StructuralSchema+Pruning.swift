/// Pruning of unknown fields and applying `default`s, as kube-apiserver does for custom
/// objects on every write (and on read from storage).
import KubeCore

extension StructuralSchema {
    /// ObjectMeta's fields: anything else under `metadata` is dropped, as decoding into
    /// the typed ObjectMeta does in Kubernetes.
    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    /// `object` without the fields its schema does not know.
    public func prune(_ object: JSONValue) -> JSONValue {
        Self.prune(object, node: root, isResourceRoot: true)
    }

    static func prune(_ value: JSONValue, node: SchemaNode, isResourceRoot: Bool) -> JSONValue {
        switch value {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (name, child) in members {
                if isResourceRoot && (name == "apiVersion" || name == "kind") && node.properties[name] == nil {
                    result[name] = child
                } else if isResourceRoot && name == "metadata" {
                    result[name] = pruneMetadata(child)
                } else if let childNode = node.properties[name] {
                    result[name] = prune(child, node: childNode, isResourceRoot: childNode.embeddedResource)
                } else if case .schema(let childNode) = node.additionalProperties {
                    result[name] = prune(child, node: childNode, isResourceRoot: childNode.embeddedResource)
                } else if node.preserveUnknownFields || isAllowedAdditional(node) {
                    result[name] = child
                }
            }
            return .object(result)
        case .array(let items):
            guard let itemNode = node.items else { return value }
            return .array(items.map { prune($0, node: itemNode, isResourceRoot: itemNode.embeddedResource) })
        default:
            return value
        }
    }

    static func isAllowedAdditional(_ node: SchemaNode) -> Bool {
        if case .allowed(true) = node.additionalProperties { return true }
        return false
    }

    static func pruneMetadata(_ metadata: JSONValue) -> JSONValue {
        guard case .object(let members) = metadata else { return metadata }
        return .object(members.filter { objectMetaFields.contains($0.key) })
    }

    /// `object` with schema defaults filled in for missing (and non-nullable null) fields.
    public func applyDefaults(_ object: JSONValue) -> JSONValue {
        Self.applyDefaults(object, node: root)
    }

    static func applyDefaults(_ value: JSONValue, node: SchemaNode) -> JSONValue {
        switch value {
        case .object(var members):
            for (name, childNode) in node.properties {
                if let child = members[name], !child.isNull {
                    members[name] = applyDefaults(child, node: childNode)
                } else if let d = childNode.defaultValue {
                    if members[name] == nil || !childNode.nullable {
                        // Defaults are themselves defaulted (nested defaults inside the default object).
                        members[name] = applyDefaults(d, node: childNode)
                    }
                } else if let child = members[name], child.isNull, !childNode.nullable {
                    // Non-nullable nulls without a default are dropped (k8s >= 1.20).
                    members.removeValue(forKey: name)
                }
            }
            if case .schema(let childNode) = node.additionalProperties {
                for (name, child) in members where node.properties[name] == nil {
                    if child.isNull, !childNode.nullable {
                        if let d = childNode.defaultValue { members[name] = applyDefaults(d, node: childNode) }
                    } else {
                        members[name] = applyDefaults(child, node: childNode)
                    }
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemNode = node.items else { return value }
            return .array(items.map { item in
                if item.isNull, !itemNode.nullable, let d = itemNode.defaultValue { return applyDefaults(d, node: itemNode) }
                return applyDefaults(item, node: itemNode)
            })
        default:
            return value
        }
    }
}
