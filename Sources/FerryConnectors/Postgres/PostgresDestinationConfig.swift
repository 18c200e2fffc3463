/// `destination-postgres`'s configuration: its JSON-schema spec and the parsed form.
import AirbyteProtocol
import KubeCore
import PostgresNIO

struct PostgresDestinationConfig: Sendable {
    enum SSLMode: String, Sendable { case disable, require }

    var host: String
    var port: Int
    var database: String
    var schema: String
    var username: String
    var password: String?
    var sslMode: SSLMode
    var rawSchema: String

    static let connectionSpecification: JSONValue = [
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Postgres Destination Spec",
        "type": "object",
        "required": ["host", "port", "database", "username"],
        "additionalProperties": true,
        "properties": [
            "host": ["type": "string", "title": "Host", "description": "Hostname of the database.", "order": 0],
            "port": ["type": "integer", "title": "Port", "minimum": 0, "maximum": 65536, "default": 5432, "order": 1],
            "database": ["type": "string", "title": "DB Name", "order": 2],
            "schema": ["type": "string", "title": "Default Schema", "default": "public", "order": 3,
                       "description": "Schema for streams without a namespace."],
            "username": ["type": "string", "title": "User", "order": 4],
            "password": ["type": "string", "title": "Password", "airbyte_secret": true, "order": 5],
            "ssl_mode": ["type": "string", "title": "SSL mode", "enum": ["disable", "require"], "default": "disable", "order": 6],
            "raw_schema": ["type": "string", "title": "Raw table schema", "default": "airbyte_internal", "order": 7,
                           "description": "Schema of the raw tables (one per stream)."],
        ],
    ]

    init(_ json: JSONValue) throws(ConnectorError) {
        guard json.objectValue != nil else { throw ConnectorError("config must be a JSON object") }
        func string(_ key: String, default value: String? = nil) throws(ConnectorError) -> String {
            let v = json[key]
            if v.isNull, let value { return value }
            guard let s = v.stringValue, !s.isEmpty else { throw ConnectorError("config.\(key) must be a non-empty string") }
            return s
        }
        host = try string("host")
        database = try string("database")
        username = try string("username")
        schema = try string("schema", default: "public")
        rawSchema = try string("raw_schema", default: "airbyte_internal")
        let p = json["port"]
        if p.isNull {
            port = 5432
        } else {
            guard let i = p.intValue ?? p.stringValue.flatMap({ Int64($0) }), (1...65535).contains(i) else {
                throw ConnectorError("config.port must be an integer from 1 to 65535")
            }
            port = Int(i)
        }
        switch json["password"] {
        case .null: password = nil
        case .string(let s): password = s
        default: throw ConnectorError("config.password must be a string")
        }
        let mode = json["ssl_mode"].isNull ? "disable" : (json["ssl_mode"].stringValue ?? json["ssl_mode"]["mode"].stringValue ?? "")
        guard let m = SSLMode(rawValue: mode) else { throw ConnectorError("config.ssl_mode must be disable or require") }
        sslMode = m
    }

    /// The PostgresNIO connection configuration (TLS verifies the server's certificate).
    func connectionConfiguration() throws(ConnectorError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case .disable: tls = .disable
        case .require:
            do { tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration())) } catch {
                throw ConnectorError("setting up TLS for \(host):\(port): \(error)")
            }
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// What we connected to, for messages: never the password.
    var target: String { "\(username)@\(host):\(port)/\(database)" }

    /// `text` with the password blanked out, for every message that leaves the connector.
    func redacting(_ text: String) -> String {
        guard let password, password.count >= 3 else { return text }
        return text.replacing(password, with: "******")
    }
}
