/// In a worker Pod, committed state and stats go to the attempt's progress ConfigMap
/// (`AttemptProgressConfigMap`) through the Kubernetes API, with the orchestrator's
/// own credentials (its projected service account token in a cluster, `$KUBECONFIG`
/// on `ferry dev`).
import FerryAPI
import FerryWorker
import Foundation
import KubeClient
import KubeCore

struct ProgressConfigMapSink: RelayStateSink {
    let client: KubernetesClient
    let namespace: String
    let name: String

    /// `NAMESPACE/NAME` as the `--progress-configmap` flag takes it.
    static func parseReference(_ text: String) -> (namespace: String, name: String)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    func flush(_ snapshot: RelaySnapshot) async throws {
        // CONTROL messages' config updates may hold secrets: they never go here.
        let patch = AttemptProgressConfigMap.patch(stats: snapshot.stats, committedState: snapshot.committedState,
                                                   updatedAt: KubeTime.format(Date()), isFinal: snapshot.isFinal)
        do {
            _ = try await client.patch(.configMap, name: name, namespace: namespace, patch: patch, type: .merge)
        } catch {
            throw ProgressReportError(description: "reporting progress to ConfigMap \(namespace)/\(name): \(error)")
        }
    }
}

struct ProgressReportError: Error, CustomStringConvertible {
    var description: String
}

/// Both sinks when a run asks for files and a ConfigMap.
struct CombinedStateSink: RelayStateSink {
    var sinks: [any RelayStateSink]
    func flush(_ snapshot: RelaySnapshot) async throws {
        var firstError: (any Error)?
        for sink in sinks {
            do { try await sink.flush(snapshot) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
