/// A compiled CEL expression (the subset used by CRD `x-kubernetes-validations`), evaluated
/// with `self` and, for transition rules, `oldSelf`.
import KubeCore

struct CELProgram: Sendable {
    let source: String
    let expression: CELExpr
    /// Whether the rule is a transition rule (runs only on update).
    let referencesOldSelf: Bool

    init(_ source: String) throws(CELError) {
        self.source = source
        let (expression, usesOldSelf) = try CELParser.parse(source)
        self.expression = expression
        referencesOldSelf = usesOldSelf
    }

    /// Evaluates with `self` (and `oldSelf` when given); `schema` types the values
    /// (`type: number` fields are doubles even when written as `1`).
    func evaluate(self value: JSONValue, oldSelf: JSONValue?, schema: SchemaNode? = nil) throws(CELError) -> JSONValue {
        try evaluateValue(self: value, oldSelf: oldSelf, schema: schema).json
    }

    func evaluateValue(self value: JSONValue, oldSelf: JSONValue?, schema: SchemaNode? = nil) throws(CELError) -> CELValue {
        var bindings = ["self": CELValue.from(value, node: schema)]
        if let oldSelf { bindings["oldSelf"] = CELValue.from(oldSelf, node: schema) }
        return try CELEvaluator(bindings: bindings).eval(expression)
    }
}
