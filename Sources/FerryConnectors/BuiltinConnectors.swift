/// The built-in connectors behind `ferry connector NAME spec|check|discover|read|write`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AirbyteProtocol
import KubeCore

public enum BuiltinConnectors {
    public static let names = ["source-sample", "destination-jsonl", "destination-postgres"]
    public static let actions = ["spec", "check", "discover", "read", "write"]

    /// Runs one connector command, writing Airbyte messages to `output` and reading
    /// `write`'s messages from `input`. Returns the exit code: failures are reported as
    /// a TRACE ERROR message (and a non-zero exit), as the protocol asks.
    public static func run(name: String, action: String, configPath: String?, catalogPath: String?, statePath: String?,
                           input: Int32 = 0, output fd: Int32 = 1, emittedAt: Int64? = nil) -> Int32 {
        let output = LineOutput(fd: fd)
        do {
            try run(name: name, action: action, configPath: configPath, catalogPath: catalogPath, statePath: statePath,
                    input: input, output: output, emittedAt: emittedAt)
            try output.flush()
            return 0
        } catch {
            let now = emittedAt ?? currentMillis()
            try? output.write(.trace(.error(error.message, failureType: error.failureType, emittedAt: now)))
            try? output.flush()
            return 1
        }
    }

    static func run(name: String, action: String, configPath: String?, catalogPath: String?, statePath: String?,
                    input: Int32, output: LineOutput, emittedAt: Int64?) throws(ConnectorError) {
        guard names.contains(name) else { throw ConnectorError("unknown connector \(name); built-in connectors: \(names.joined(separator: ", "))") }
        let isSource = name.hasPrefix("source-")
        switch action {
        case "spec":
            try output.write(isSource ? SampleSource.spec() : name == "destination-postgres" ? PostgresDestination.spec() : JSONLDestination.spec())
        case "check":
            let config = try readJSONFile(configPath, flag: "--config")
            try output.write(isSource ? SampleSource.check(config: config)
                             : name == "destination-postgres" ? PostgresDestination.check(config: config) : JSONLDestination.check(config: config))
        case "discover":
            guard isSource else { throw ConnectorError("\(name) is a destination; it has no discover") }
            try output.write(SampleSource.discover(config: try readJSONFile(configPath, flag: "--config")))
        case "read":
            guard isSource else { throw ConnectorError("\(name) is a destination; use write") }
            let config = try readJSONFile(configPath, flag: "--config")
            let catalog = try configuredCatalog(catalogPath)
            let state = statePath == nil ? nil : try readJSONFile(statePath, flag: "--state")
            try SampleSource.read(config: config, catalog: catalog, state: state, output: output, emittedAt: emittedAt ?? currentMillis())
        case "write":
            guard !isSource else { throw ConnectorError("\(name) is a source; use read") }
            let config = try readJSONFile(configPath, flag: "--config")
            if name == "destination-postgres" {
                try PostgresDestination.write(config: config, catalog: try configuredCatalog(catalogPath), input: input, output: output)
            } else {
                try JSONLDestination.write(config: config, catalog: try configuredCatalog(catalogPath), input: input, output: output)
            }
        default:
            throw ConnectorError("unknown command \(action); expected one of \(actions.joined(separator: ", "))")
        }
    }

    static func configuredCatalog(_ path: String?) throws(ConnectorError) -> ConfiguredCatalog {
        let json = try readJSONFile(path, flag: "--catalog")
        do { return try ConfiguredCatalog(json: json) } catch { throw ConnectorError(error.description) }
    }

    static func currentMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
