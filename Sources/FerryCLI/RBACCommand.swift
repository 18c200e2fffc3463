/// `ferry rbac`: prints the RBAC objects of the operator and its worker pods, rendered from
/// the one declaration in `OperatorPermissions` (the committed `manifests/rbac.yaml`).
import ArgumentParser
import FerryControllers
import Foundation

struct RBACCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rbac",
        abstract: "Print the operator's and workers' ServiceAccounts, ClusterRoles, Role and bindings as YAML.",
        discussion: "Regenerate the committed file with: ferry rbac --out manifests/rbac.yaml"
    )

    @Option(help: "Write the YAML to this file instead of printing it.")
    var out: String?

    @Option(name: .customLong("worker-namespace"), help: "Namespace whose worker pods get the ferry-worker ServiceAccount and RoleBinding; repeat for several.")
    var workerNamespaces: [String] = [OperatorPermissions.namespace]

    func run() throws {
        let text = RBACManifests.yaml(workerNamespaces: workerNamespaces)
        guard let out else {
            print(text, terminator: "")
            return
        }
        do {
            try text.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(out): \(error.localizedDescription)")
        }
        print(out)
    }
}
