/// The local lifecycle: volumes, then init containers one after another, then all
/// containers at once, each a process; config problems are retried until they clear.
import Foundation
import KubeClient
import KubeCore

extension PodRunner {
    func runLocal() async {
        report()
        let specs = (pod[path: ["spec", "initContainers"]].arrayValue ?? []).map { ($0, true) }
            + (pod[path: ["spec", "containers"]].arrayValue ?? []).map { ($0, false) }
        // Every image must have a local meaning before anything starts (like a pull).
        var unmapped = false
        for (spec, isInit) in specs {
            let image = context.configuration.localImage(spec["image"].stringValue ?? "")
            if case .failure(let problem) = ContainerCommand.argv(container: spec, image: image, ferryExecutable: context.ferryExecutable) {
                setState(spec["name"].stringValue ?? "", isInit: isInit, .waiting(reason: problem.reason, message: problem.message))
                unmapped = true
            }
        }
        if unmapped {
            report()
            return
        }
        guard let (sources, volumes) = await prepareVolumes() else { return }
        for spec in pod[path: ["spec", "initContainers"]].arrayValue ?? [] {
            guard let process = await launch(spec, isInit: true, sources: sources, volumes: volumes) else { return }
            let code = await process.waitForExit()
            exited(spec, isInit: true, process: process, code: code)
            report()
            if code != 0 || stopping { return }
        }
        var started: [(JSONValue, LocalProcess)] = []
        for spec in pod[path: ["spec", "containers"]].arrayValue ?? [] {
            // A container that cannot start has its terminated record; the others still start.
            if let process = await launch(spec, isInit: false, sources: sources, volumes: volumes) { started.append((spec, process)) }
            if stopping { break }
        }
        await withTaskGroup(of: Void.self) { group in
            for (spec, process) in started {
                group.addTask {
                    let code = await process.waitForExit()
                    await self.exited(spec, isInit: false, process: process, code: code)
                    await self.report()
                }
            }
        }
    }

    /// Fetches the pod's Secrets/ConfigMaps and builds its volumes, retrying while they are
    /// missing; nil when the pod is stopped meanwhile.
    private func prepareVolumes() async -> (PodConfigSources, [String: String])? {
        while !stopping {
            do {
                let sources = try await PodConfigSources.fetch(for: pod, client: context.client)
                for spec in (pod[path: ["spec", "initContainers"]].arrayValue ?? []) + (pod[path: ["spec", "containers"]].arrayValue ?? []) {
                    try FileManager.default.createDirectory(atPath: containerDirectory(spec), withIntermediateDirectories: true)
                }
                return (sources, try PodVolumes.prepare(pod: pod, podDirectory: podDirectory, sources: sources))
            } catch let problem as ContainerLaunchProblem {
                for i in initRecords.indices { initRecords[i].state = .waiting(reason: "PodInitializing", message: problem.message) }
                for i in records.indices { records[i].state = .waiting(reason: problem.reason, message: problem.message) }
                report()
            } catch {
                context.logger.warning("preparing pod volumes failed", metadata: ["pod": "\(namespace)/\(name)", "error": "\(error)"])
            }
            do { try await context.configuration.clock.sleep(for: context.configuration.configRetryInterval) } catch { return nil }
        }
        return nil
    }

    /// Resolves the container's launch (retrying config errors) and spawns it; nil when
    /// the pod stops first or the process cannot start (its record says why).
    private func launch(_ spec: JSONValue, isInit: Bool, sources initial: PodConfigSources, volumes: [String: String]) async -> LocalProcess? {
        let containerName = spec["name"].stringValue ?? ""
        var sources = initial
        while !stopping {
            switch plan(spec, sources: sources, volumes: volumes) {
            case .success(let plan):
                guard !stopping else { return nil }
                let now = context.configuration.clock.wallTime
                guard let executable = ContainerCommand.resolveExecutable(plan.argv[0], path: plan.environment["PATH"] ?? "") else {
                    setState(containerName, isInit: isInit, .terminated(
                        exitCode: 128, reason: "StartError", message: "exec: \"\(plan.argv[0])\": executable file not found in $PATH",
                        startedAt: nil, finishedAt: now))
                    report()
                    return nil
                }
                do {
                    let process = try LocalProcess.spawn(executable: executable, argv: plan.argv, environment: plan.environment,
                                                         workingDirectory: plan.workingDirectory, logPath: "\(containerDirectory(spec))/log")
                    processes[containerName] = process
                    setState(containerName, isInit: isInit, .running(startedAt: now), containerID: "local://\(process.pid)")
                    report()
                    return process
                } catch {
                    setState(containerName, isInit: isInit, .terminated(exitCode: 128, reason: error.reason, message: error.message, startedAt: nil, finishedAt: now))
                    report()
                    return nil
                }
            case .failure(let problem):
                setState(containerName, isInit: isInit, .waiting(reason: problem.reason, message: problem.message))
                report()
                do { try await context.configuration.clock.sleep(for: context.configuration.configRetryInterval) } catch { return nil }
                do {
                    sources = try await PodConfigSources.fetch(for: pod, client: context.client)
                } catch {
                    context.logger.warning("fetching pod config failed", metadata: ["pod": "\(namespace)/\(name)", "error": "\(error)"])
                }
            }
        }
        return nil
    }

    struct LaunchPlan {
        var argv: [String]
        var environment: [String: String]
        var workingDirectory: String
    }

    private func plan(_ spec: JSONValue, sources: PodConfigSources, volumes: [String: String]) -> Result<LaunchPlan, ContainerLaunchProblem> {
        let configuration = context.configuration
        let image = configuration.localImage(spec["image"].stringValue ?? "")
        let containerDir = containerDirectory(spec)
        var mappings: [PathMapping]
        do { mappings = try PodVolumes.mappings(container: spec, volumes: volumes) } catch { return .failure(error) }
        let terminationPath = spec["terminationMessagePath"].stringValue ?? "/dev/termination-log"
        mappings.append(PathMapping(containerPath: terminationPath, hostPath: "\(containerDir)/termination-log"))
        _ = FileManager.default.createFile(atPath: "\(containerDir)/termination-log", contents: nil)
        var base: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOSTNAME": name, "HOME": containerDir,
        ]
        base.merge(configuration.extraEnvironment) { $1 }
        base.merge(image?.environment ?? [:]) { $1 }
        let environment: [String: String]
        switch ContainerEnvironment.resolve(container: spec, pod: pod, sources: sources, base: base, nodeCapacity: configuration.capacity) {
        case .success(let env): environment = env.mapValues { ContainerCommand.rewritePaths($0, mappings) }
        case .failure(let problem): return .failure(problem)
        }
        let argv: [String]
        switch ContainerCommand.argv(container: spec, image: image, ferryExecutable: context.ferryExecutable) {
        case .success(let a): argv = a.map { ContainerCommand.expand(ContainerCommand.rewritePaths($0, mappings), environment) }
        case .failure(let problem): return .failure(problem)
        }
        let workingDirectory = spec["workingDir"].stringValue.map { ContainerCommand.rewritePaths($0, mappings) } ?? containerDir
        return .success(LaunchPlan(argv: argv, environment: environment, workingDirectory: workingDirectory))
    }

    func containerDirectory(_ spec: JSONValue) -> String {
        "\(logDirectory)/\(spec["name"].stringValue ?? "")"
    }

    private func exited(_ spec: JSONValue, isInit: Bool, process: LocalProcess, code: Int32) {
        let containerName = spec["name"].stringValue ?? ""
        processes[containerName] = nil
        let dir = containerDirectory(spec)
        var message = LogFiles.read("\(dir)/termination-log", maxBytes: 4096)
        if message.isEmpty && code != 0 && spec["terminationMessagePolicy"].stringValue == "FallbackToLogsOnError" {
            message = LogFiles.tail("\(dir)/log", lines: 80, maxBytes: 2048)
        }
        var startedAt: Date?
        for r in (isInit ? initRecords : records) where r.name == containerName {
            if case .running(let at) = r.state { startedAt = at }
        }
        let reason = ContainerRuntimeState.terminationReason(exitCode: code)
        setState(containerName, isInit: isInit, .terminated(exitCode: code, reason: reason, message: message.isEmpty ? nil : message,
                                                            startedAt: startedAt, finishedAt: context.configuration.clock.wallTime))
    }

    func setState(_ containerName: String, isInit: Bool, _ state: ContainerRuntimeState, containerID: String? = nil) {
        if isInit {
            for i in initRecords.indices where initRecords[i].name == containerName {
                initRecords[i].state = state
                if let containerID { initRecords[i].containerID = containerID }
            }
        } else {
            for i in records.indices where records[i].name == containerName {
                records[i].state = state
                if let containerID { records[i].containerID = containerID }
            }
        }
    }
}
