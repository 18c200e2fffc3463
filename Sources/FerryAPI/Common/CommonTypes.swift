/// Small types shared by several Ferry kinds: references, secret references, quantities,
/// resource requirements, tolerations, conditions. Data only; schemas are in CommonTypes+Schema.swift.
import KubeCore

/// A reference to an object in the same namespace, by name.
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// A key of a Secret in the same namespace.
public struct SecretKeySelector: Codable, Sendable, Hashable {
    public var name: String
    public var key: String
    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }
}

/// A secret value merged into a connector's config at a JSON pointer.
public struct SecretRef: Codable, Sendable, Hashable {
    /// RFC 6901 JSON pointer into `config`, e.g. `/password` or `/tunnel/ssh_key`.
    public var path: String
    public var secretKeyRef: SecretKeySelector
    public init(path: String, secretKeyRef: SecretKeySelector) {
        self.path = path
        self.secretKeyRef = secretKeyRef
    }
}

/// A core/v1 resource quantity, kept exactly as written (an integer or a string), so a
/// manifest round-trips unchanged.
public enum Quantity: Codable, Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case int(Int64)
    case string(String)

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    /// The quantity as Kubernetes prints it.
    public var text: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        }
    }
}

/// core/v1 ResourceRequirements (limits and requests; claims are not used by connectors).
public struct ResourceRequirements: Codable, Sendable, Hashable {
    public var limits: [String: Quantity]?
    public var requests: [String: Quantity]?
    public init(limits: [String: Quantity]? = nil, requests: [String: Quantity]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}

/// Resource requirements per container of a worker pod.
public struct WorkerResources: Codable, Sendable, Hashable {
    public var orchestrator: ResourceRequirements?
    public var source: ResourceRequirements?
    public var destination: ResourceRequirements?
    public init(orchestrator: ResourceRequirements? = nil, source: ResourceRequirements? = nil, destination: ResourceRequirements? = nil) {
        self.orchestrator = orchestrator
        self.source = source
        self.destination = destination
    }
}

/// core/v1 Toleration.
public struct Toleration: Codable, Sendable, Hashable {
    public enum Operator: String, Codable, Sendable, CaseIterable { case exists = "Exists", equal = "Equal" }
    public enum Effect: String, Codable, Sendable, CaseIterable {
        case noSchedule = "NoSchedule", preferNoSchedule = "PreferNoSchedule", noExecute = "NoExecute"
    }
    public var key: String?
    public var `operator`: Operator?
    public var value: String?
    public var effect: Effect?
    public var tolerationSeconds: Int64?
    public init(key: String? = nil, operator: Operator? = nil, value: String? = nil, effect: Effect? = nil, tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }
}


