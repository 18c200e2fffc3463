/// `ferry workerpool simulate`: the WorkerPool autoscaler run offline over a scenario, with
/// the same code the operator runs (API.md, "Command-line contract"). One JSON line per
/// step: the metrics' recommendation, the worker count after stabilization and policies,
/// and the pool's conditions as they stand after the step.
import ArgumentParser
import FerryAPI
import FerryAutoscaling
import Foundation
import KubeCore
import KubeMachinery

struct WorkerPoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workerpool",
        abstract: "Work with WorkerPools offline.",
        subcommands: [Simulate.self]
    )

    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "simulate",
            abstract: "Run the autoscaler over a scenario; prints one JSON line per step.",
            discussion: """
                The scenario is JSON: {"autoscaling": <WorkerPool spec.autoscaling>, "initialWorkers": N, "steps": [{"time": SECONDS, \
                "queuedSyncs": N, "runningSyncs": N, "pods": [{"ready": true, "cpu": {"usage": "500m", "request": "1"}, \
                "memory": {"usage": "300Mi", "request": "1Gi"}}]}]}. A pod may also give "name", "phase", "deleting", \
                "startTime" and "readyTime" (seconds from the start; default: an hour before it); a step may give \
                "metricsUnavailable": "why" to make the resource metrics fail.
                """
        )

        @Option(name: .customShort("f"), help: ArgumentHelp("The scenario file (JSON).", valueName: "SCENARIO.json"))
        var filename: String

        @OptionGroup var autoscaler: AutoscalerFlags

        func run() throws {
            let settings = try autoscaler.options().settings
            let scenario: SimulationScenario
            do {
                scenario = try SimulationScenario.load(path: filename)
            } catch {
                FileHandle.standardError.write(Data("\(filename): \(error.message)\n".utf8))
                throw ExitCode(1)
            }
            for line in scenario.run(settings: settings) { print(line) }
        }
    }
}

/// Why a scenario cannot be simulated; one line.
struct ScenarioError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// A parsed, validated scenario.
struct SimulationScenario {
    var autoscaling: PoolAutoscaling
    var initialWorkers: Int32
    var steps: [Step]

    struct Step {
        var time: TimeInterval
        var observation: PoolObservation
    }

    /// The scenario file's shape; quantities are strings or numbers, as in manifests.
    struct File: Decodable {
        var autoscaling: JSONValue
        var initialWorkers: Int32?
        var steps: [StepFile]
    }

    struct StepFile: Decodable {
        var time: Double
        var queuedSyncs: Int?
        var runningSyncs: Int?
        var pods: [PodFile]?
        var metricsUnavailable: String?
    }

    struct PodFile: Decodable {
        var name: String?
        var phase: String?
        var ready: Bool?
        var deleting: Bool?
        var startTime: Double?
        var readyTime: Double?
        var cpu: Usage?
        var memory: Usage?
    }

    struct Usage: Decodable {
        var usage: Quantity?
        var request: Quantity?
    }

    /// Scenario time 0, and the default start of pods (outside every initialisation period).
    static let origin = Date(timeIntervalSince1970: 0)
    static let defaultPodStart: TimeInterval = -3600

    static func load(path: String) throws(ScenarioError) -> SimulationScenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(FileManager.default.fileExists(atPath: path) ? "cannot read: \(error.localizedDescription)" : "no such file")
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw ScenarioError("not valid JSON: \(error)")
        }
        let file: File
        do {
            file = try value.decode(File.self)
        } catch {
            throw ScenarioError(describe(error))
        }
        return try validated(file)
    }

    static func validated(_ file: File) throws(ScenarioError) -> SimulationScenario {
        // The same schema and rules as a WorkerPool manifest.
        let document: JSONValue = .object([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": .object(["name": "simulate"]), "spec": .object(["autoscaling": file.autoscaling]),
        ])
        let problems = ManifestValidator.validate(document: document, index: 0, file: "scenario")
        if !problems.isEmpty {
            throw ScenarioError("invalid autoscaling: " + problems.map { "\($0.field.replacingOccurrences(of: "spec.autoscaling", with: "autoscaling")): \($0.message)" }.joined(separator: "; "))
        }
        let autoscaling: PoolAutoscaling
        do {
            autoscaling = try file.autoscaling.decode(PoolAutoscaling.self)
        } catch {
            throw ScenarioError("invalid autoscaling: \(describe(error))")
        }
        let initial = file.initialWorkers ?? autoscaling.effectiveMinWorkers
        guard initial >= 0 else { throw ScenarioError("initialWorkers: must be 0 or more, got \(initial)") }
        guard !file.steps.isEmpty else { throw ScenarioError("steps: give at least one step") }

        var steps: [Step] = []
        for (i, step) in file.steps.enumerated() {
            let where_ = "steps[\(i)]"
            guard step.time.isFinite else { throw ScenarioError("\(where_).time: must be a number of seconds") }
            if let previous = steps.last, step.time < previous.time {
                throw ScenarioError("\(where_).time: steps out of time order (\(format(step.time)) after \(format(previous.time)))")
            }
            let queued = step.queuedSyncs ?? 0, running = step.runningSyncs ?? 0
            guard queued >= 0, running >= 0 else { throw ScenarioError("\(where_): queuedSyncs and runningSyncs must be 0 or more") }
            let pods: Result<[WorkerPodSample], MetricsUnavailable>
            if let why = step.metricsUnavailable {
                pods = .failure(MetricsUnavailable(why))
            } else {
                pods = .success(try (step.pods ?? []).enumerated().map { j, pod throws(ScenarioError) in
                    try sample(pod, index: j, at: step.time, path: "\(where_).pods[\(j)]")
                })
            }
            steps.append(Step(time: step.time, observation: PoolObservation(queuedSyncs: queued, runningSyncs: running, pods: pods)))
        }
        return SimulationScenario(autoscaling: autoscaling, initialWorkers: initial, steps: steps)
    }

    /// A scenario pod as the Resource metric sees it; the sample is taken at the step's time.
    static func sample(_ pod: PodFile, index: Int, at time: TimeInterval, path: String) throws(ScenarioError) -> WorkerPodSample {
        func amount(_ q: Quantity?, _ field: String) throws(ScenarioError) -> Int64? {
            guard let q else { return nil }
            let parsed: ResourceQuantity
            do {
                parsed = try ResourceQuantity(parsing: q.text)
            } catch {
                throw ScenarioError("\(path).\(field): \(error.description)")
            }
            let value = field.hasPrefix("cpu") ? parsed.milliValue : parsed.value
            guard let value, value >= 0 else { throw ScenarioError("\(path).\(field): \"\(q.text)\" must be 0 or more and fit in 64 bits") }
            return value
        }
        var phase = WorkerPodSample.Phase.running
        if let name = pod.phase {
            guard let known = WorkerPodSample.Phase(rawValue: name) else {
                throw ScenarioError("\(path).phase: Unsupported value: \"\(name)\": supported values: \"Pending\", \"Running\", \"Succeeded\", \"Failed\", \"Unknown\"")
            }
            phase = known
        }
        let start = origin + (pod.startTime ?? defaultPodStart)
        return WorkerPodSample(
            name: pod.name ?? "worker-\(index)", phase: phase, deleting: pod.deleting ?? false, ready: pod.ready ?? true,
            readyTransitionTime: pod.readyTime.map { origin + $0 } ?? start, startTime: start,
            cpuRequestMillis: try amount(pod.cpu?.request, "cpu.request"), memoryRequestBytes: try amount(pod.memory?.request, "memory.request"),
            cpuUsageMillis: try amount(pod.cpu?.usage, "cpu.usage"), memoryUsageBytes: try amount(pod.memory?.usage, "memory.usage"),
            metricTimestamp: origin + time, metricWindow: 0)
    }

    /// One evaluation per step, carrying the worker count, the autoscaler's memory and the
    /// pool's conditions from step to step as the operator does.
    func run(settings: AutoscalerSettings) -> [String] {
        var history = ScalingHistory()
        var workers = initialWorkers
        var conditions: [Condition] = []
        return steps.map { step in
            let decision = PoolAutoscaler.evaluate(autoscaling, currentWorkers: workers, observation: step.observation, history: &history,
                                                   now: Self.origin + step.time, settings: settings)
            workers = decision.workers
            for c in decision.conditions { conditions.set(c) }
            let listed = conditions.map { c in
                "{\"type\": \(JSONValue.string(c.type).serialized()), \"status\": \"\(c.status.rawValue)\", \"reason\": \(JSONValue.string(c.reason).serialized())}"
            }
            let recommendation = decision.recommendation.map(String.init) ?? "null"
            return "{\"time\": \(Self.format(step.time)), \"recommendation\": \(recommendation), \"workers\": \(workers), \"conditions\": [\(listed.joined(separator: ", "))]}"
        }
    }

    /// Whole seconds without a fraction, as the scenario likely wrote them.
    static func format(_ time: TimeInterval) -> String {
        time.rounded() == time && abs(time) < 1e15 ? String(Int64(time)) : String(time)
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type, is Int32.Type, is Int64.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Array<Any>.Type: return "a list"
        default: return "\(type)"
        }
    }

    /// A decoding error as "field.path: what is wrong".
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text.isEmpty ? "(scenario)" : text
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context, key)): required"
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(kind(type))"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(kind(type)), got null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

