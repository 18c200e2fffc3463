/// Client-side rate limiting of the operator's API calls. Off by default, as
/// controller-runtime turns it off ("we can rely on API priority and fairness"): the
/// server's priority and fairness shares the API server between clients, while a fixed
/// 5 QPS bucket (client-go's default) throttles a burst of Syncs to a few per second.
import ArgumentParser
import KubeClient

struct ClientRateFlags: ParsableArguments {
    @Option(name: .customLong("kube-api-qps"), help: "Client-side limit of API requests per second; 0 or less turns it off (the default, as in controller-runtime).")
    var qps: Double = 0

    @Option(name: .customLong("kube-api-burst"), help: "Requests allowed at once above --kube-api-qps.")
    var burst: Int = 30

    func apply(to configuration: inout ClientConfiguration) throws {
        guard qps.isFinite, burst >= 1 else { throw ValidationError("--kube-api-qps must be a number and --kube-api-burst at least 1") }
        configuration.qps = qps
        configuration.burst = burst
    }
}
