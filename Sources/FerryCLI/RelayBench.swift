/// `ferry bench relay`: relay throughput (MB/s, messages/s) against `cat | cat`.
import AirbyteProtocol
import ArgumentParser
import FerryConnectors
import FerryWorker
import Foundation
import KubeCore

struct RelayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay throughput (MB/s, messages/s) on source-sample data, beside cat | cat and a Python json relay."
    )

    @Option(help: "Records per stream of source-sample input (three streams).")
    var records = 300_000

    @Option(help: "Runs of each pipeline; the fastest is reported, as for the classifier row.")
    var rounds = 3

    @Option(help: "Relay forwarding modes to time, comma-separated: splice (tee/splice from the source's pipe), copy (read/write).")
    var forwarding = "splice,copy"

    var modes: [RelayForwarding] { forwarding.split(separator: ",").compactMap { RelayForwarding(rawValue: String($0)) } }

    func validate() throws {
        if modes.isEmpty { throw ValidationError("--forwarding lists splice and/or copy") }
    }

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-relay-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json").path
        let catalog = dir.appendingPathComponent("catalog.json").path
        let input = dir.appendingPathComponent("input.jsonl").path
        try Data(#"{"count":\#(records),"seed":1,"state_every":10000}"#.utf8).write(to: URL(fileURLWithPath: config))
        let streams = ["users", "products", "purchases"].map { #"{"stream":{"name":"\#($0)","json_schema":{}},"sync_mode":"full_refresh","destination_sync_mode":"append"}"# }
        try Data(#"{"streams":[\#(streams.joined(separator: ","))]}"#.utf8).write(to: URL(fileURLWithPath: catalog))
        let fd = open(input, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("creating \(input): \(String(cString: strerror(errno)))") }
        let code = BuiltinConnectors.run(name: "source-sample", action: "read", configPath: config, catalogPath: catalog, statePath: nil, output: fd)
        close(fd)
        guard code == 0 else { throw ValidationError("generating the input with source-sample failed") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        let messages = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        emit("input: \(messages) messages, \(String(format: "%.1f", Double(bytes.count) / 1e6)) MB of source-sample JSON lines")
        let rounds = max(1, self.rounds)
        var rows = [RelayBenchmark.classifier(Array(bytes), rounds: rounds)]
        // Pipelines interleaved round by round, so a burst of load elsewhere hits them all.
        var cat: [RelayBenchmarkRow] = []
        var relay = Array(repeating: [RelayBenchmarkRow](), count: modes.count), process = relay
        var results: [RelayResult] = []
        var relayRSS = 0
        let ferry = Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).path
        for _ in 0..<rounds {
            cat.append(try await RelayBenchmark.shell("cat | cat", "cat '\(input)' | cat > /dev/null", bytes: bytes.count, messages: messages))
            for (k, mode) in modes.enumerated() {
                let (relayRow, relayResult) = try await RelayBenchmark.relay(file: input, bytes: bytes.count, messages: messages, forwarding: mode)
                relay[k].append(relayRow)
                results.append(relayResult)
                let (processRow, rss) = try await RelayBenchmark.relayProcess(ferry: ferry, file: input, bytes: bytes.count, messages: messages, forwarding: mode)
                process[k].append(processRow)
                relayRSS = max(relayRSS, rss)
            }
        }
        for runs in [cat] + relay + process { if let fastest = runs.min(by: { $0.seconds < $1.seconds }) { rows.append(fastest) } }
        let python = "import sys, json\nfor line in sys.stdin:\n    json.loads(line)\n    sys.stdout.write(line)\n"
        let script = dir.appendingPathComponent("relay.py").path
        try Data(python.utf8).write(to: URL(fileURLWithPath: script))
        if let row = try? await RelayBenchmark.shell("cat | python json.loads relay | cat", "cat '\(input)' | python3 '\(script)' | cat > /dev/null", bytes: bytes.count, messages: messages) {
            rows.append(row)
        }
        func pad(_ text: String, _ width: Int, left: Bool = true) -> String {
            let fill = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + fill : fill + text
        }
        emit(pad("pipeline", 40) + pad("MB/s", 10, left: false) + pad("messages/s", 14, left: false) + pad("seconds", 10, left: false))
        for r in rows {
            emit(pad(r.name, 40) + pad(String(format: "%.0f", r.megabytesPerSecond), 10, left: false)
                 + pad(String(format: "%.0f", r.messagesPerSecond), 14, left: false) + pad(String(format: "%.2f", r.seconds), 10, left: false))
        }
        emit("fastest of \(rounds) run\(rounds == 1 ? "" : "s") per pipeline (Python: one run)")
        for result in results.prefix(modes.count) {
            emit("relay: \(result.progress.tracker.recordsEmitted) records relayed, \(result.progress.splicedBytes) bytes spliced, succeeded: \(result.succeeded)")
        }
        let catBest = cat.map(\.seconds).min() ?? 0
        for r in rows where r.name.contains("relay |") {
            emit("\(r.name): \(String(format: "%.0f", 100 * catBest / max(r.seconds, 1e-9)))% of cat | cat")
        }
        emit("ferry worker relay process peak RSS: \(relayRSS / (1 << 20)) MiB")
        emit("bench process peak RSS (input held in memory for the classifier run): \(RelayBenchmark.peakRSS() / (1 << 20)) MiB")
    }
}
