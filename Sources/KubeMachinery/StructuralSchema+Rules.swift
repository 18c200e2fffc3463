/// Running `x-kubernetes-validations` CEL rules during validation.
import Foundation
import KubeCore

extension Validator {
    func runRules(_ value: JSONValue, node: SchemaNode, path: String, old: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        // Kubernetes reports the schema type, not the value, as the "invalid value".
        let shownType = JSONValue.string(node.type ?? value.typeName)
        for rule in node.validations {
            if rule.isTransition && old == nil { continue }
            let passed: Bool
            do {
                let result = try rule.program.evaluate(self: value, oldSelf: old, schema: node)
                guard case .bool(let b) = result else {
                    errors.append(FieldError(.invalid, path: path, value: shownType,
                                             detail: "rule did not evaluate to a bool: \(rule.rule)"))
                    continue
                }
                passed = b
            } catch {
                errors.append(FieldError(.invalid, path: path, value: shownType,
                                         detail: "\(error.message) evaluating rule: \(Self.ruleErrorString(rule))"))
                continue
            }
            if passed { continue }
            var message = Self.trimmed(rule.message ?? "")
            if message.isEmpty { message = "failed rule: \(Self.trimmed(rule.rule))" }
            if let expression = rule.messageExpression,
               case .string(let s)? = try? expression.evaluate(self: value, oldSelf: old, schema: node),
               !Self.trimmed(s).isEmpty, !s.contains("\n") {
                // A failing, empty or multi-line messageExpression falls back to message, as in Kubernetes.
                message = Self.trimmed(s)
            }
            var errorPath = path
            if let fieldPath = rule.fieldPath, !fieldPath.isEmpty {
                errorPath = Self.join(path, fieldPath.hasPrefix(".") ? String(fieldPath.dropFirst()) : fieldPath)
            }
            let kind: FieldError.Kind
            switch rule.reason {
            case "FieldValueRequired": kind = .required
            case "FieldValueForbidden": kind = .forbidden
            case "FieldValueDuplicate": kind = .duplicate
            default: kind = .invalid
            }
            errors.append(FieldError(kind, path: errorPath, value: shownType, detail: message))
        }
        return errors
    }

    static func trimmed(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The rule's message if it has one, else the rule itself (Kubernetes' `ruleErrorString`).
    static func ruleErrorString(_ rule: SchemaNode.ValidationRule) -> String {
        let message = trimmed(rule.message ?? "")
        return message.isEmpty ? trimmed(rule.rule) : message
    }
}
