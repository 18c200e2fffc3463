/// `ferry workerpool simulate -f SCENARIO.json` as a user runs it: the real binary over a
/// scenario file, one JSON line per step (API.md, "Command-line contract").
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.timeLimit(.minutes(2))) struct WorkerPoolSimulateCommandTests {
    /// The step lines as (time, recommendation, workers, ["Type=Status/Reason"]).
    func steps(_ stdout: String) throws -> [(time: Int64?, recommendation: Int64?, workers: Int64?, conditions: [String])] {
        try stdout.split(separator: "\n").map { line in
            let v = try JSONValue.parse(String(line))
            let conditions = (v["conditions"].arrayValue ?? []).map { c in
                "\(c["type"].stringValue ?? "")=\(c["status"].stringValue ?? "")/\(c["reason"].stringValue ?? "")"
            }
            return (v["time"].intValue, v["recommendation"].intValue, v["workers"].intValue, conditions)
        }
    }

    @Test func aQueueBurstScalesByTheDefaultPoliciesAndHoldsForTheWindow() async throws {
        let dir = try TestDirectory("ferry-simulate")
        defer { dir.remove() }
        try """
            {"autoscaling": {"minWorkers": 1, "maxWorkers": 20, "metrics": [{"type": "Queue", "target": {"averageValue": 1}}], "behavior": {}},
             "initialWorkers": 1,
             "steps": [{"time": 0, "queuedSyncs": 199, "runningSyncs": 1},
                       {"time": 15, "queuedSyncs": 195, "runningSyncs": 5},
                       {"time": 30, "queuedSyncs": 190, "runningSyncs": 10},
                       {"time": 45, "queuedSyncs": 0, "runningSyncs": 1},
                       {"time": 300, "queuedSyncs": 0, "runningSyncs": 1},
                       {"time": 331, "queuedSyncs": 0, "runningSyncs": 1}]}
            """.write(toFile: dir.path + "/burst.json", atomically: true, encoding: .utf8)
        let result = try await runFerryCommand(["workerpool", "simulate", "-f", "burst.json"], in: dir.path)
        #expect(result.code == 0, "\(result.stderr)")
        let lines = try steps(result.stdout)
        #expect(lines.map(\.time) == [0, 15, 30, 45, 300, 331])
        #expect(lines.map(\.recommendation) == [200, 200, 200, 1, 1, 1])
        #expect(lines.map(\.workers) == [5, 10, 20, 20, 20, 1])
        #expect(lines.first?.conditions == ["AbleToScale=True/SucceededRescale", "ScalingActive=True/ValidMetricFound", "ScalingLimited=True/ScaleUpLimit"])
        #expect(lines[2].conditions.last == "ScalingLimited=True/TooManyReplicas")
        #expect(lines[3].conditions.first == "AbleToScale=True/ScaleDownStabilized")
    }

    @Test func cpuUtilizationAndUnavailableMetrics() async throws {
        let dir = try TestDirectory("ferry-simulate")
        defer { dir.remove() }
        let pod = #"{"ready": true, "cpu": {"usage": "900m", "request": "1"}}"#
        try """
            {"autoscaling": {"minWorkers": 1, "maxWorkers": 10, "metrics": [{"type": "Queue", "target": {"averageValue": "1"}},
                             {"type": "Resource", "resource": {"name": "cpu", "target": {"averageUtilization": 50}}}]},
             "initialWorkers": 2,
             "steps": [{"time": 0, "runningSyncs": 1, "pods": [\(pod), \(pod)]},
                       {"time": 15, "runningSyncs": 1, "metricsUnavailable": "metrics.k8s.io is not served"}]}
            """.write(toFile: dir.path + "/cpu.json", atomically: true, encoding: .utf8)
        let result = try await runFerryCommand(["workerpool", "simulate", "-f", "cpu.json"], in: dir.path)
        #expect(result.code == 0, "\(result.stderr)")
        let lines = try steps(result.stdout)
        // 90 % against 50 % on 2 workers asks for ceil(1.8 × 2) = 4; the Queue only for 1.
        #expect(lines.first?.recommendation == 4 && lines.first?.workers == 4)
        // A failed metric blocks scaling down: nothing computed, the pool stays at 4.
        #expect(lines.last?.recommendation == nil && lines.last?.workers == 4)
        #expect(lines.last?.conditions.contains("ScalingActive=False/FailedGetResourceMetric") == true, "\(result.stdout)")
    }

    @Test(arguments: [
        ("missing.json", nil, "missing.json: no such file"),
        ("syntax.json", #"{"autoscaling": {"maxWorkers": 3"#, "syntax.json: not valid JSON"),
        ("invalid.json", #"{"autoscaling": {"minWorkers": 5, "maxWorkers": 3}, "steps": [{"time": 0}]}"#, "invalid.json: invalid autoscaling: autoscaling.minWorkers"),
        ("order.json", #"{"autoscaling": {"maxWorkers": 3}, "steps": [{"time": 30}, {"time": 15}]}"#, "order.json: steps[1].time: steps out of time order (15 after 30)"),
    ] as [(String, String?, String)])
    func badInputIsOneMessageAndExitCode1(file: String, content: String?, message: String) async throws {
        let dir = try TestDirectory("ferry-simulate")
        defer { dir.remove() }
        if let content { try content.write(toFile: dir.path + "/" + file, atomically: true, encoding: .utf8) }
        let result = try await runFerryCommand(["workerpool", "simulate", "-f", file], in: dir.path)
        #expect(result.code == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix(message) == true, "\(result.stderr)")
    }
}
