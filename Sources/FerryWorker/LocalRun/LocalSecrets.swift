/// Where `ferry run` finds Secret values, in order: v1 Secret manifests among the files,
/// then `--secrets-dir DIR/<secret>/<key>` files (as a Secret volume lays them out, the
/// content used exactly), then the environment variable `FERRY_SECRET_<SECRET>_<KEY>`.
import FerryAPI
import Foundation

public struct LocalSecrets: Sendable {
    public var manifests: [ManifestKey: [String: String]]
    public var directory: String?
    public var environment: [String: String]

    public init(manifests: [ManifestKey: [String: String]], directory: String?, environment: [String: String]) {
        self.manifests = manifests
        self.directory = directory
        self.environment = environment
    }

    /// `FERRY_SECRET_<SECRET>_<KEY>`: upper-cased, every character other than A-Z and 0-9 as `_`.
    public static func environmentVariable(secret: String, key: String) -> String {
        func clean(_ s: String) -> String {
            String(s.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        }
        return "FERRY_SECRET_\(clean(secret))_\(clean(key))"
    }

    public func lookup(namespace: String, secret: String, key: String) -> SecretLookupResult {
        let manifest = manifests[ManifestKey(namespace: namespace, name: secret)]
        if let value = manifest?[key] { return .value(value) }
        var secretExists = manifest != nil
        if let directory {
            let secretDir = (directory as NSString).appendingPathComponent(secret)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: secretDir, isDirectory: &isDirectory), isDirectory.boolValue {
                secretExists = true
                if let data = FileManager.default.contents(atPath: (secretDir as NSString).appendingPathComponent(key)),
                   let value = String(data: data, encoding: .utf8) {
                    return .value(value)
                }
            }
        }
        if let value = environment[Self.environmentVariable(secret: secret, key: key)] { return .value(value) }
        return secretExists ? .keyNotFound : .secretNotFound
    }
}
