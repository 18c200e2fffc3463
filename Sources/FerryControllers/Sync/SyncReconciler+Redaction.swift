/// Keeping secret values out of what a failed attempt reports. A connector may echo its
/// config in an error (source-sample quotes a value it rejects), and the pod's termination
/// message carries that into the attempt's message — the Sync's status, its Events and the
/// operator's log. The probe controller masks its messages with the same function.
import FerryAPI
import Foundation
import KubeCore

extension SyncReconciler {
    /// `text` with the value of every Secret key the Sync's Source and Destination refer
    /// to masked as `***` (ReferencedSecrets.redact).
    func redactingSecrets(_ text: String, sync: Sync, namespace: String) async throws -> String {
        guard let connection: Connection = cached(caches.connections, namespace, sync.spec.connectionRef.name) else { return text }
        let source: Source? = cached(caches.sources, namespace, connection.spec.sourceRef.name)
        let destination: Destination? = cached(caches.destinations, namespace, connection.spec.destinationRef.name)
        let refs = (source?.spec.secretRefs ?? []) + (destination?.spec.secretRefs ?? [])
        guard !refs.isEmpty else { return text }
        let secrets = try await ReferencedSecrets.read(Set(refs.map(\.secretKeyRef.name)), namespace: namespace, client: client) { name, error in
            SyncReconcileError("reading Secret \(namespace)/\(name) to keep its values out of an attempt's message", error)
        }
        return ReferencedSecrets.redact(text, secrets: secrets.values(of: refs))
    }
}
