/// Pod volumes as host directories under the pod's directory: emptyDir (also
/// `medium: Memory`, which stays on the work directory's filesystem), secret, configMap,
/// downwardAPI and projected (their secret/configMap/downwardAPI sources) written as
/// files with items and modes, and hostPath as the host path itself.
import Foundation
import KubeCore

enum PodVolumes {
    /// Creates every volume; returns volume name → host directory.
    static func prepare(pod: JSONValue, podDirectory: String, sources: PodConfigSources) throws(ContainerLaunchProblem) -> [String: String] {
        var result: [String: String] = [:]
        for volume in pod[path: ["spec", "volumes"]].arrayValue ?? [] {
            guard let name = volume["name"].stringValue else { continue }
            if let hostPath = volume[path: ["hostPath", "path"]].stringValue {
                try makeDirectory(hostPath, volume: name)
                result[name] = hostPath
                continue
            }
            let dir = "\(podDirectory)/volumes/\(name)"
            try makeDirectory(dir, volume: name)
            result[name] = dir
            if !volume["secret"].isNull {
                let s = volume["secret"]
                try writeObject(s["secretName"].stringValue ?? "", kind: "secret", data: sources.secrets, items: s["items"], defaultMode: s["defaultMode"],
                                optional: s["optional"].boolValue == true, into: dir, volume: name)
            } else if !volume["configMap"].isNull {
                let c = volume["configMap"]
                try writeObject(c["name"].stringValue ?? "", kind: "configmap", data: sources.configMaps, items: c["items"], defaultMode: c["defaultMode"],
                                optional: c["optional"].boolValue == true, into: dir, volume: name)
            } else if !volume["downwardAPI"].isNull {
                try writeDownward(volume[path: ["downwardAPI", "items"]], pod: pod, defaultMode: volume[path: ["downwardAPI", "defaultMode"]], into: dir, volume: name)
            } else if !volume["projected"].isNull {
                let mode = volume[path: ["projected", "defaultMode"]]
                for source in volume[path: ["projected", "sources"]].arrayValue ?? [] {
                    if !source["secret"].isNull {
                        let s = source["secret"]
                        try writeObject(s["name"].stringValue ?? "", kind: "secret", data: sources.secrets, items: s["items"], defaultMode: mode,
                                        optional: s["optional"].boolValue == true, into: dir, volume: name)
                    } else if !source["configMap"].isNull {
                        let c = source["configMap"]
                        try writeObject(c["name"].stringValue ?? "", kind: "configmap", data: sources.configMaps, items: c["items"], defaultMode: mode,
                                        optional: c["optional"].boolValue == true, into: dir, volume: name)
                    } else if !source["downwardAPI"].isNull {
                        try writeDownward(source[path: ["downwardAPI", "items"]], pod: pod, defaultMode: mode, into: dir, volume: name)
                    }
                    // serviceAccountToken and clusterTrustBundle sources: no local equivalent; left out.
                }
            }
        }
        return result
    }

    /// Container path → host path for a container's `volumeMounts` (with `subPath`).
    static func mappings(container: JSONValue, volumes: [String: String]) throws(ContainerLaunchProblem) -> [PathMapping] {
        var mappings: [PathMapping] = []
        for mount in container["volumeMounts"].arrayValue ?? [] {
            guard let name = mount["name"].stringValue, let mountPath = mount["mountPath"].stringValue else { continue }
            guard let host = volumes[name] else {
                throw ContainerLaunchProblem(reason: "CreateContainerConfigError", message: "volume \"\(name)\" mounted at \(mountPath) is not a volume of the pod")
            }
            let subPath = mount["subPath"].stringValue ?? ""
            if subPath.split(separator: "/").contains("..") {
                throw ContainerLaunchProblem(reason: "CreateContainerConfigError", message: "subPath \"\(subPath)\" of volume \"\(name)\" leaves the volume")
            }
            let trimmed = mountPath.count > 1 && mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath
            mappings.append(PathMapping(containerPath: trimmed, hostPath: subPath.isEmpty ? host : "\(host)/\(subPath)"))
        }
        return mappings
    }

    private static func writeObject(
        _ objectName: String, kind: String, data: [String: [String: Data]], items: JSONValue, defaultMode: JSONValue, optional: Bool,
        into dir: String, volume: String
    ) throws(ContainerLaunchProblem) {
        guard let content = data[objectName] else {
            if optional { return }
            throw setupFailure(volume, "\(kind) \"\(objectName)\" not found")
        }
        let mode = defaultMode.intValue ?? 0o644
        if let items = items.arrayValue, !items.isEmpty {
            for item in items {
                let key = item["key"].stringValue ?? ""
                guard let bytes = content[key] else {
                    if optional { continue }
                    throw setupFailure(volume, "references non-existent \(kind) key: \(key)")
                }
                try writeFile(bytes, relative: item["path"].stringValue ?? key, mode: item["mode"].intValue ?? mode, dir: dir, volume: volume)
            }
        } else {
            for (key, bytes) in content { try writeFile(bytes, relative: key, mode: mode, dir: dir, volume: volume) }
        }
    }

    private static func writeDownward(_ items: JSONValue, pod: JSONValue, defaultMode: JSONValue, into dir: String, volume: String) throws(ContainerLaunchProblem) {
        for item in items.arrayValue ?? [] {
            guard let path = item["path"].stringValue, let field = item[path: ["fieldRef", "fieldPath"]].stringValue else { continue }
            let value = ContainerEnvironment.fieldValue(field, pod: pod) ?? ""
            try writeFile(Data(value.utf8), relative: path, mode: item["mode"].intValue ?? defaultMode.intValue ?? 0o644, dir: dir, volume: volume)
        }
    }

    private static func writeFile(_ bytes: Data, relative: String, mode: Int64, dir: String, volume: String) throws(ContainerLaunchProblem) {
        let parts = relative.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(".."), !relative.hasPrefix("/") else {
            throw setupFailure(volume, "invalid item path \"\(relative)\"")
        }
        let path = "\(dir)/\(relative)"
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try bytes.write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: Int(mode & 0o7777))], ofItemAtPath: path)
        } catch {
            throw setupFailure(volume, "writing \(relative): \(error.localizedDescription)")
        }
    }

    private static func makeDirectory(_ path: String, volume: String) throws(ContainerLaunchProblem) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw setupFailure(volume, "creating the volume directory: \(error.localizedDescription)")
        }
    }

    private static func setupFailure(_ volume: String, _ detail: String) -> ContainerLaunchProblem {
        ContainerLaunchProblem(reason: "ContainerCreating", message: "MountVolume.SetUp failed for volume \"\(volume)\" : \(detail)")
    }
}
