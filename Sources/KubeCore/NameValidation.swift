/// Validation of object names, label keys and values (apimachinery `validation`).

/// Validates a label key: an optional DNS-subdomain prefix and a name of at most 63
/// characters (apimachinery `IsQualifiedName`).
public func validateLabelKey(_ key: String) throws(SelectorParseError) {
    if let problem = qualifiedNameProblem(key) {
        throw SelectorParseError(message: "invalid label key \"\(key)\": \(problem)")
    }
}

public func validateLabelValue(_ value: String) throws(SelectorParseError) {
    if let problem = labelValueProblem(value) {
        throw SelectorParseError(message: "invalid label value: \"\(value)\": at key: \(problem)")
    }
}

private func isAlnum(_ c: UInt8) -> Bool {
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

/// Returns why `name` is not a qualified name, or nil.
public func qualifiedNameProblem(_ name: String) -> String? {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    let local: Substring
    if parts.count == 2 {
        if parts[0].isEmpty { return "prefix part must be non-empty" }
        if let p = dns1123SubdomainProblem(String(parts[0])) { return "prefix part \(p)" }
        local = parts[1]
    } else if parts.count == 1 {
        local = parts[0]
    } else {
        return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    }
    if local.isEmpty { return "name part must be non-empty" }
    if local.utf8.count > 63 { return "name part must be no more than 63 characters" }
    let b = Array(local.utf8)
    if !isAlnum(b[0]) || !isAlnum(b[b.count - 1]) || !b.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) {
        return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    }
    return nil
}

public func labelValueProblem(_ value: String) -> String? {
    if value.isEmpty { return nil }
    if value.utf8.count > 63 { return "must be no more than 63 characters" }
    let b = Array(value.utf8)
    if !isAlnum(b[0]) || !isAlnum(b[b.count - 1]) || !b.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) {
        return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    }
    return nil
}

/// Returns why `name` is not an RFC 1123 subdomain (object names of most kinds), or nil.
public func dns1123SubdomainProblem(_ name: String) -> String? {
    let b = Array(name.utf8)
    if b.isEmpty { return "must be non-empty" }
    if b.count > 253 { return "must be no more than 253 characters" }
    let ok = b.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
    let lowerAlnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    if !ok || !lowerAlnum(b[0]) || !lowerAlnum(b[b.count - 1]) {
        return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    }
    return nil
}

/// Returns why `name` is not an RFC 1123 label (namespace names), or nil.
public func dns1123LabelProblem(_ name: String) -> String? {
    let b = Array(name.utf8)
    if b.isEmpty { return "must be non-empty" }
    if b.count > 63 { return "must be no more than 63 characters" }
    let lowerAlnum: (UInt8) -> Bool = { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
    if !b.allSatisfy({ lowerAlnum($0) || $0 == 45 }) || !lowerAlnum(b[0]) || !lowerAlnum(b[b.count - 1]) {
        return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    }
    return nil
}
