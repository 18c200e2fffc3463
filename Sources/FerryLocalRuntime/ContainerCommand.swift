/// Pure container launch rules: argv from command/args/image, `$(VAR)` expansion, and the
/// rewriting of container paths (volume mounts, the termination log) to host paths.
///
/// Processes cannot see container paths, so every occurrence of a mount's `mountPath` in
/// argv, env values and workingDir is replaced by the volume's host directory. An
/// occurrence counts only at a path boundary: not preceded by a path character and
/// followed by `/`, a non-path character or the end (so `/config` rewrites `/config/a.json`
/// and `--config=/config` but not `/configs` or `/etc/config`). Longest mountPath first.
import Foundation
import KubeCore

/// A container path and the host path it stands for.
public struct PathMapping: Sendable, Hashable {
    public var containerPath: String
    public var hostPath: String

    public init(containerPath: String, hostPath: String) {
        self.containerPath = containerPath
        self.hostPath = hostPath
    }
}

/// Why a container cannot be started; becomes its waiting reason and message.
public struct ContainerLaunchProblem: Error, Sendable, Hashable {
    public var reason: String
    public var message: String
}

public enum ContainerCommand {
    /// Kubernetes rules: `command` replaces the image ENTRYPOINT, `args` replace its CMD
    /// (images here have no CMD). With no command the image must be mapped locally.
    public static func argv(container: JSONValue, image: LocalImage?, ferryExecutable: String) -> Result<[String], ContainerLaunchProblem> {
        let command = (container["command"].arrayValue ?? []).compactMap(\.stringValue)
        let args = (container["args"].arrayValue ?? []).compactMap(\.stringValue)
        var argv: [String]
        if !command.isEmpty {
            argv = command + args
        } else if let image {
            argv = image.entrypoint + args
        } else {
            let imageName = container["image"].stringValue ?? ""
            return .failure(ContainerLaunchProblem(
                reason: LocalRuntimeReasons.imageNotMapped,
                message: "image \"\(imageName)\" has no local command: the container sets no command and no --image-command maps the image"))
        }
        if argv.first == "ferry" { argv[0] = ferryExecutable }
        return .success(argv)
    }

    /// `$(NAME)` → the variable's value when defined (else left as is); `$$` → `$`.
    public static func expand(_ text: String, _ variables: [String: String]) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "$", next < text.endIndex {
                if text[next] == "$" {
                    out.append("$")
                    i = text.index(after: next)
                    continue
                }
                if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
                    let name = String(text[text.index(after: next)..<close])
                    if let value = variables[name] {
                        out += value
                        i = text.index(after: close)
                        continue
                    }
                }
            }
            out.append(c)
            i = next
        }
        return out
    }

    /// Replaces container paths by host paths at path boundaries, longest container path first.
    public static func rewritePaths(_ text: String, _ mappings: [PathMapping]) -> String {
        let usable = mappings.filter { $0.containerPath.count > 1 && $0.containerPath.hasPrefix("/") }
            .sorted { $0.containerPath.utf8.count > $1.containerPath.utf8.count }
        guard !usable.isEmpty, text.contains("/") else { return text }
        let bytes = Array(text.utf8)
        let patterns = usable.map { (Array($0.containerPath.utf8), Array($0.hostPath.utf8)) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        outer: while i < bytes.count {
            if bytes[i] == UInt8(ascii: "/") && (i == 0 || !isPathByte(bytes[i - 1])) {
                for (pattern, host) in patterns where matches(bytes, at: i, pattern) {
                    let end = i + pattern.count
                    if end == bytes.count || bytes[end] == UInt8(ascii: "/") || !isPathByte(bytes[end]) {
                        out += host
                        i = end
                        continue outer
                    }
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func matches(_ bytes: [UInt8], at i: Int, _ pattern: [UInt8]) -> Bool {
        guard i + pattern.count <= bytes.count else { return false }
        for j in 0..<pattern.count where bytes[i + j] != pattern[j] { return false }
        return true
    }

    private static func isPathByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: "/")
            || b >= 0x80
    }

    /// The executable for argv[0]: as is when it contains `/`, else the first executable
    /// file named so on `path` (the container's PATH).
    public static func resolveExecutable(_ name: String, path: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }
}
