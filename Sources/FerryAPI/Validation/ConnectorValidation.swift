/// Semantic rules for Source and Destination that a schema cannot express: secret
/// references that resolve, and no secret values written inline in `config`.
import KubeCore
import KubeMachinery

extension FerryValidation {
    public static func validate(_ source: Source) -> [FieldError] {
        validateMetadata(source.metadata) + validate(source.spec)
    }

    public static func validate(_ destination: Destination) -> [FieldError] {
        validateMetadata(destination.metadata) + validate(destination.spec)
    }

    static func validate(_ spec: ConnectorSpec) -> [FieldError] {
        var errors: [FieldError] = []
        if let config = spec.config, config.objectValue == nil {
            errors.append(FieldError(.typeInvalid, path: "spec.config", value: config, detail: "must be an object"))
        }
        var seen: [String: Int] = [:]
        for (i, ref) in (spec.secretRefs ?? []).enumerated() {
            let path = "spec.secretRefs[\(i)].path"
            if let problem = JSONPointer.problem(in: ref.path) {
                errors.append(FieldError(.invalid, path: path, value: .string(ref.path), detail: problem))
                continue
            }
            if let first = seen[ref.path] {
                errors.append(FieldError(.duplicate, path: path, value: .string(ref.path), detail: "already set by spec.secretRefs[\(first)]"))
            }
            seen[ref.path, default: i] = seen[ref.path] ?? i
            if let config = spec.config, let problem = JSONPointer.placementProblem(ref.path, in: config) {
                errors.append(FieldError(.invalid, path: path, value: .string(ref.path), detail: problem))
            }
        }
        if let config = spec.config {
            let referenced = Set((spec.secretRefs ?? []).map(\.path))
            errors += inlineSecrets(in: config, pointer: "", fieldPath: "spec.config", referenced: referenced)
        }
        if let interval = spec.check?.interval, (DurationSyntax.seconds(interval) ?? 0) <= 0 {
            errors.append(FieldError(.invalid, path: "spec.check.interval", value: .string(interval), detail: "must be a positive duration such as 30m or 1h"))
        }
        return errors
    }

    /// Endings of (normalized) config keys that hold credentials in Airbyte connector specs:
    /// `password`, `tunnel_user_password`, `client_secret`, `access_token`, `api_key`,
    /// `ssh_private_key`, `credentials_json`. Matching the ending keeps `access_key_id` or
    /// `max_tokens` out.
    static let secretKeyEndings = ["password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey", "accesskey", "secretkey", "credentialsjson"]

    static func looksSecret(_ key: String) -> Bool {
        let k = key.lowercased().filter { $0.isLetter || $0.isNumber }
        return secretKeyEndings.contains { k.hasSuffix($0) }
    }

    /// Non-empty strings under credential-like keys: these belong in a Secret.
    static func inlineSecrets(in value: JSONValue, pointer: String, fieldPath: String, referenced: Set<String>) -> [FieldError] {
        guard case .object(let object) = value else { return [] }
        var errors: [FieldError] = []
        for key in object.keys.sorted() {
            let child = object[key] ?? .null
            let childPointer = pointer + "/" + JSONPointer.escape(key)
            let childPath = fieldPath + "." + key
            if case .string(let s) = child, !s.isEmpty, looksSecret(key) {
                let detail = referenced.contains(childPointer)
                    ? "is also set by secretRefs; remove the inline value"
                    : "secret values must not be written inline; store it in a Secret and add a secretRefs entry with path: \(childPointer)"
                errors.append(FieldError(.forbidden, path: childPath, detail: detail))
            } else {
                errors += inlineSecrets(in: child, pointer: childPointer, fieldPath: childPath, referenced: referenced)
            }
        }
        return errors
    }
}

extension JSONPointer {
    /// Why a value cannot be placed at `pointer` in `config` (a parent that is not an object).
    static func placementProblem(_ pointer: String, in config: JSONValue) -> String? {
        var node = config
        var walked = "config"
        for token in ((try? tokens(pointer)) ?? []).dropLast() {  // checked by problem(in:) first
            guard case .object(let o) = node else { return "goes through \(walked), which is not an object" }
            node = o[token] ?? .object([:])
            walked += "." + token
        }
        if case .object = node { return nil }
        return "goes through \(walked), which is not an object"
    }
}
