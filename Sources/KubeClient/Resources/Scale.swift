/// autoscaling/v1 Scale, the body of every `/scale` subresource.
import KubeCore

public struct Scale: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var replicas: Int?
        public init(replicas: Int? = nil) { self.replicas = replicas }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var replicas: Int
        /// The label selector as a string, e.g. `app=web`.
        public var selector: String?
        public init(replicas: Int, selector: String? = nil) {
            self.replicas = replicas
            self.selector = selector
        }
    }

    public init(metadata: ObjectMeta, spec: Spec, status: Status? = nil) {
        self.apiVersion = "autoscaling/v1"
        self.kind = "Scale"
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(json: JSONValue) throws(KubeClientError) {
        do {
            self = try json.decode(Scale.self)
        } catch {
            throw .decoding(DecodingFailure(operation: "decoding Scale", message: "\(error)"))
        }
    }

    public func json() throws(KubeClientError) -> JSONValue {
        do {
            var v = try JSONValue(encoding: self)
            v["apiVersion"] = "autoscaling/v1"
            v["kind"] = "Scale"
            return v
        } catch {
            throw .decoding(DecodingFailure(operation: "encoding Scale", message: "\(error)"))
        }
    }
}
