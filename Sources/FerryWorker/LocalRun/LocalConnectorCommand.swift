/// The shell command that runs a connector locally: its `spec.command` (with `ferry` meaning
/// this executable), or the command an `--image-command IMAGE=COMMAND` maps its image to.
import FerryAPI
import Foundation

public enum LocalConnectorCommand {
    /// `what` names the object for errors, e.g. `Source default/faker`.
    public static func command(for spec: ConnectorSpec, what: String, imageCommands: [String: String], ferryExecutable: String) throws(LocalRunError) -> String {
        if var argv = spec.command, let first = argv.first {
            if first == "ferry" { argv[0] = ferryExecutable }
            return argv.map(shellQuoted).joined(separator: " ")
        }
        if let mapped = imageCommands[spec.image] { return mapped }
        throw .badInput("\(what): spec.command is empty and no --image-command maps its image \(spec.image) to a local command")
    }

    /// Parses `IMAGE=COMMAND` (the command is shell text, used as written).
    public static func imageCommands(_ options: [String]) throws(LocalRunError) -> [String: String] {
        var out: [String: String] = [:]
        for option in options {
            guard let eq = option.firstIndex(of: "="), eq != option.startIndex, option.index(after: eq) != option.endIndex else {
                throw .badInput("--image-command \(option): expected IMAGE=COMMAND")
            }
            out[String(option[..<eq])] = String(option[option.index(after: eq)...])
        }
        return out
    }

    /// One word for /bin/sh, quoted only when it needs to be.
    public static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// This process's executable, so built-in connectors run from the same binary.
    public static var currentExecutable: String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let argv0 = CommandLine.arguments.first ?? "ferry"
        return argv0.contains("/") ? URL(fileURLWithPath: argv0).standardizedFileURL.path : argv0
    }
}
