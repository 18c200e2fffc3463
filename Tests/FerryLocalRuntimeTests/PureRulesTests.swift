/// Pure rules of the local runtime: phase, conditions, argv, expansion, path rewriting,
/// environment resolution and log tails — no I/O.
import Foundation
import KubeCore
import Testing
@testable import FerryLocalRuntime

@Suite struct PureRulesTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    static func record(_ name: String, _ state: ContainerRuntimeState) -> ContainerRecord {
        ContainerRecord(name: name, image: "img", state: state)
    }

    static let done0 = ContainerRuntimeState.terminated(exitCode: 0, reason: "Completed", message: nil, startedAt: t0, finishedAt: t0)
    static let done1 = ContainerRuntimeState.terminated(exitCode: 1, reason: "Error", message: nil, startedAt: t0, finishedAt: t0)
    static let running = ContainerRuntimeState.running(startedAt: t0)
    static let waiting = ContainerRuntimeState.waiting(reason: "ContainerCreating", message: nil)

    @Test(arguments: [
        ([waiting], [waiting], "Pending"),
        ([running], [waiting], "Pending"),
        ([done1], [waiting], "Failed"),
        ([done0], [running, waiting], "Pending"),
        ([done0], [running, done0], "Running"),
        ([done0], [running, done1], "Running"),
        ([done0], [done0, done0], "Succeeded"),
        ([], [done0, done1], "Failed"),
    ] as [([ContainerRuntimeState], [ContainerRuntimeState], String)])
    func phaseFollowsTheKubeletForRestartNever(initStates: [ContainerRuntimeState], states: [ContainerRuntimeState], expected: String) {
        let phase = PodStatusModel.phase(
            initContainers: initStates.enumerated().map { Self.record("i\($0.offset)", $0.element) },
            containers: states.enumerated().map { Self.record("c\($0.offset)", $0.element) }, failure: nil)
        #expect(phase == expected)
    }

    @Test func deadlineFailsThePodWithReason() {
        let status = PodStatusModel.status(PodStatusInput(initContainers: [], containers: [Self.record("c", Self.running)],
                                                          startTime: Self.t0, now: Self.t0, failure: .deadlineExceeded))
        #expect(status["phase"] == "Failed")
        #expect(status["reason"] == "DeadlineExceeded")
    }

    @Test func conditionsKeepTheirTransitionTimeUnlessTheStatusChanges() {
        let later = Self.t0.addingTimeInterval(60)
        let first = PodStatusModel.status(PodStatusInput(initContainers: [Self.record("i", Self.done0)], containers: [Self.record("c", Self.running)],
                                                         startTime: Self.t0, now: Self.t0))
        let second = PodStatusModel.status(PodStatusInput(initContainers: [Self.record("i", Self.done0)], containers: [Self.record("c", Self.done0)],
                                                          startTime: Self.t0, now: later, previousConditions: first["conditions"].arrayValue ?? []))
        func cond(_ s: JSONValue, _ type: String) -> JSONValue { (s["conditions"].arrayValue ?? []).first { $0["type"] == .string(type) } ?? .null }
        #expect(cond(first, "Ready")["status"] == "True")
        #expect(cond(second, "Ready")["status"] == "False")
        #expect(cond(second, "Ready")["reason"] == "PodCompleted")
        #expect(cond(second, "Ready")["lastTransitionTime"] == .string(KubeTime.format(later)))
        #expect(cond(second, "Initialized")["lastTransitionTime"] == .string(KubeTime.format(Self.t0)))
        #expect(cond(second, "PodScheduled")["lastTransitionTime"] == .string(KubeTime.format(Self.t0)))
        #expect(second["phase"] == "Succeeded")
        #expect(cond(first, "Initialized")["status"] == "True")
    }

    @Test func unfinishedInitContainersAreNamedInTheCondition() {
        let status = PodStatusModel.status(PodStatusInput(initContainers: [Self.record("setup", Self.running)], containers: [Self.record("c", Self.waiting)],
                                                          startTime: Self.t0, now: Self.t0))
        let initialized = (status["conditions"].arrayValue ?? []).first { $0["type"] == "Initialized" }
        #expect(initialized?["status"] == "False")
        #expect(initialized?["message"] == "containers with incomplete status: [setup]")
        #expect(status["initContainerStatuses"].arrayValue?.first?["started"] == true)
        #expect(status["containerStatuses"].arrayValue?.first?[path: ["state", "waiting", "reason"]] == "ContainerCreating")
    }

    @Test func argvFollowsCommandArgsAndTheImageMap() throws {
        let image = LocalImage(entrypoint: ["/opt/bin/source-faker"])
        let withCommand: JSONValue = ["name": "c", "image": "x", "command": ["ferry", "worker"], "args": ["--flag"]]
        #expect(try ContainerCommand.argv(container: withCommand, image: nil, ferryExecutable: "/bin/ferry").get() == ["/bin/ferry", "worker", "--flag"])
        let argsOnly: JSONValue = ["name": "c", "image": "airbyte/source-faker:6.2", "args": ["spec"]]
        #expect(try ContainerCommand.argv(container: argsOnly, image: image, ferryExecutable: "f").get() == ["/opt/bin/source-faker", "spec"])
        guard case .failure(let problem) = ContainerCommand.argv(container: argsOnly, image: nil, ferryExecutable: "f") else {
            Issue.record("an unmapped image without command must not start")
            return
        }
        #expect(problem.reason == "ImageNotMapped")
        let configuration = NodeAgentConfiguration(nodeName: "n", images: ["airbyte/source-faker": image])
        #expect(configuration.localImage("airbyte/source-faker:6.2") == image)
        #expect(configuration.localImage("airbyte/source-faker@sha256:abc") == image)
        #expect(configuration.localImage("airbyte/source-other:1") == nil)
        #expect(LocalImage.parseMapping("airbyte/source-faker=/venv/bin/source-faker --debug")?.local.entrypoint == ["/venv/bin/source-faker", "--debug"])
        #expect(LocalImage.parseMapping("no-equals") == nil)
    }

    @Test(arguments: [
        ("cat /config/a.json", "cat /h/cfg/a.json"),
        ("--config=/config", "--config=/h/cfg"),
        ("/configs/x /etc/config", "/configs/x /etc/config"),
        ("'/config/pipes/src' > /dev/termination-log", "'/h/pipes/src' > /h/tl"),
        ("/config/pipes", "/h/pipes"),
    ])
    func mountPathsAreRewrittenAtPathBoundariesLongestFirst(input: String, expected: String) {
        let mappings = [PathMapping(containerPath: "/config", hostPath: "/h/cfg"), PathMapping(containerPath: "/config/pipes", hostPath: "/h/pipes"),
                        PathMapping(containerPath: "/dev/termination-log", hostPath: "/h/tl")]
        #expect(ContainerCommand.rewritePaths(input, mappings) == expected)
    }

    @Test func variableReferencesExpandLikeKubernetes() {
        #expect(ContainerCommand.expand("$(A)-$(B)-$$(A)-$(MISSING)", ["A": "1", "B": "2"]) == "1-2-$(A)-$(MISSING)")
    }

    @Test func environmentComesFromSecretsConfigMapsAndFieldsWithKubeletErrors() throws {
        let pod: JSONValue = ["metadata": ["name": "p", "namespace": "ns", "labels": ["app": "ferry"]]]
        let container: JSONValue = [
            "name": "c",
            "envFrom": [["configMapRef": ["name": "settings"], "prefix": "CFG_"]],
            "env": [
                ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "password"]]],
                ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                ["name": "APP", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['app']"]]],
                ["name": "BOTH", "value": "$(POD)/$(CFG_MODE)"],
                ["name": "MEM", "valueFrom": ["resourceFieldRef": ["resource": "limits.memory", "divisor": "1Mi"]]],
            ],
            "resources": ["limits": ["memory": "512Mi"]],
        ]
        let sources = PodConfigSources(secrets: ["creds": ["password": Data("s3cret".utf8)]], configMaps: ["settings": ["MODE": Data("fast".utf8)]])
        let env = try ContainerEnvironment.resolve(container: container, pod: pod, sources: sources, base: [:]).get()
        #expect(env["PASSWORD"] == "s3cret")
        #expect(env["POD"] == "p")
        #expect(env["APP"] == "ferry")
        #expect(env["BOTH"] == "p/fast")
        #expect(env["MEM"] == "512")
        guard case .failure(let missing) = ContainerEnvironment.resolve(container: container, pod: pod, sources: PodConfigSources(configMaps: sources.configMaps), base: [:]) else {
            Issue.record("a missing Secret must fail")
            return
        }
        #expect(missing.reason == "CreateContainerConfigError")
        #expect(missing.message == "secret \"creds\" not found")
        let noKey = PodConfigSources(secrets: ["creds": [:]], configMaps: sources.configMaps)
        guard case .failure(let keyProblem) = ContainerEnvironment.resolve(container: container, pod: pod, sources: noKey, base: [:]) else {
            Issue.record("a missing key must fail")
            return
        }
        #expect(keyProblem.message == "couldn't find key password in Secret ns/creds")
    }

    @Test func logTailKeepsTheLastLinesWithinTheByteLimit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-tail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (1...200).map { "line \($0)" }.joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let tail = LogFiles.tail(path, lines: 80, maxBytes: 2048)
        #expect(tail.hasSuffix("line 200\n"))
        #expect(tail.split(separator: "\n").count == 80)
        #expect(LogFiles.tail(path, lines: 2) == "line 199\nline 200\n")
        let small = LogFiles.tail(path, lines: 80, maxBytes: 30)
        #expect(small.utf8.count <= 30)
    }

    @Test func backoffDoublesToItsCap() {
        let registration = AgentBackoff.nodeRegistration
        #expect((1...8).map(registration.delay(afterFailures:)) == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
            .milliseconds(3200), .milliseconds(6400), .seconds(7),
        ])
        #expect(registration.delay(afterFailures: 10_000) == .seconds(7))
        #expect(registration.delay(afterFailures: 0) == .milliseconds(100))
        #expect((1...7).map(AgentBackoff.podBinding.delay(afterFailures:)) == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
    }
}
