/// The Helm chart's static checks (Helm itself is not available to the tests): every value a
/// template reads is declared, the chart's CRDs are `crds/`, its RBAC rules are the generated
/// `manifests/rbac.yaml`'s, and every flag its Deployment (and the manifests') passes exists
/// in `ferry operator`.
import FerryAPI
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite("Helm chart")
struct HelmChartTests {
    static let chart = Repository.root.appendingPathComponent("charts/ferry")
    static let templates = chart.appendingPathComponent("templates")
    static let manifests = Repository.root.appendingPathComponent("manifests")

    static func templateFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: templates.path).sorted().map { templates.appendingPathComponent($0) }
    }

    static func values() throws -> JSONValue {
        let docs = YAMLDocuments.parse(try Repository.read(chart.appendingPathComponent("values.yaml")))
        return try #require(docs.first).result.get()
    }

    @Test("every .Values path a template reads is declared in values.yaml")
    func referencedValuesExist() throws {
        let values = try Self.values()
        var missing: [String] = []
        var referenced = 0
        for file in try Self.templateFiles() {
            for path in ChartText.valuePaths(in: try Repository.read(file)) {
                referenced += 1
                var node = values
                for key in path {
                    guard let child = node.objectValue?[key] else {
                        missing.append("\(file.lastPathComponent): .Values.\(path.joined(separator: "."))")
                        break
                    }
                    node = child
                }
            }
        }
        #expect(referenced > 30, "the scan found too few references to be trusted")
        #expect(missing == [])
    }

    @Test("every template reads as YAML once its actions are replaced")
    func templatesAreYAML() throws {
        for file in try Self.templateFiles() where file.pathExtension == "yaml" {
            let docs = YAMLDocuments.parse(ChartText.detemplated(try Repository.read(file)))
            #expect(!docs.isEmpty, "\(file.lastPathComponent)")
            for doc in docs {
                let object = try doc.result.get()
                #expect(object.kind != nil && object.name != nil, "\(file.lastPathComponent): \(object.serialized())")
            }
        }
    }

    @Test("the chart's crds/ equals crds/")
    func chartCRDsAreTheGeneratedOnes() throws {
        let generated = try Repository.yamlFiles(in: Repository.crds)
        let copied = try Repository.yamlFiles(in: Self.chart.appendingPathComponent("crds"))
        #expect(copied.map(\.lastPathComponent) == generated.map(\.lastPathComponent), "cp crds/*.yaml charts/ferry/crds/")
        for file in generated {
            let copy = Self.chart.appendingPathComponent("crds").appendingPathComponent(file.lastPathComponent)
            #expect(try Repository.read(copy) == Repository.read(file), "charts/ferry/crds/\(file.lastPathComponent) is stale: cp crds/*.yaml charts/ferry/crds/")
        }
    }

    @Test("the chart's RBAC rules equal manifests/rbac.yaml's")
    func rbacRulesMatchTheGeneratedManifest() throws {
        let generatedFile = Self.manifests.appendingPathComponent("rbac.yaml")
        let generated = try YAMLDocuments.parse(Repository.read(generatedFile)).map { try $0.result.get() }
        // With the release name `ferry` (what `detemplated` puts in place of each action) the
        // chart's names are the manifests' names.
        let chart = try YAMLDocuments.parse(ChartText.detemplated(Repository.read(Self.templates.appendingPathComponent("rbac.yaml"))))
            .map { try $0.result.get() }
        func roles(_ objects: [JSONValue]) -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for o in objects where o.kind == "ClusterRole" || o.kind == "Role" { out["\(o.kind ?? "")/\(o.name ?? "")"] = o["rules"] }
            return out
        }
        let expected = roles(generated), actual = roles(chart)
        #expect(!expected.isEmpty, "manifests/rbac.yaml declares no roles")
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (name, rules) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(actual[name] == rules, "\(name): copy the rules of manifests/rbac.yaml into charts/ferry/templates/rbac.yaml")
        }
        func bindings(_ objects: [JSONValue]) -> [String: JSONValue] {
            var out: [String: JSONValue] = [:]
            for o in objects where o.kind == "ClusterRoleBinding" || o.kind == "RoleBinding" { out["\(o.kind ?? "")/\(o.name ?? "")"] = o["roleRef"] }
            return out
        }
        #expect(bindings(chart) == bindings(generated))
    }

    @Test("the Grafana dashboard queries only metrics the README documents")
    func dashboardMetricsAreDocumented() throws {
        let dashboard = try JSONValue.parse(Array(Data(contentsOf: Self.chart.appendingPathComponent("dashboards/ferry.json"))))
        let readme = try Repository.read(Repository.root.appendingPathComponent("README.md"))
        var names = Set<String>()
        for panel in dashboard["panels"].arrayValue ?? [] {
            for target in panel["targets"].arrayValue ?? [] {
                for match in (target["expr"].stringValue ?? "").matches(of: /(?:ferry|controller_runtime|workqueue|leader_election)_[a-z_]+/) {
                    let name = String(match.output)
                    names.insert(name.hasSuffix("_bucket") ? String(name.dropLast("_bucket".count)) : name)
                }
            }
        }
        #expect(names.count > 8)
        #expect(names.filter { !readme.contains("`\($0)`") && !readme.contains("`\($0){") }.sorted() == [])
    }

    @Test("every flag the Deployments pass is a flag of `ferry operator`, and the chart sets every operator flag")
    func deploymentFlagsExist() async throws {
        let help = try await runFerryCommand(["operator", "--help"], in: FileManager.default.temporaryDirectory.path)
        #expect(help.code == 0, "\(help.stderr)")
        let flags = ChartText.optionNames(inHelp: help.stdout)
        #expect(flags.contains("--leader-elect") && flags.contains("--worker-image"), "\(help.stdout)")
        let chartArgs = ChartText.longFlags(in: try Repository.read(Self.templates.appendingPathComponent("deployment.yaml")))
        let manifestArgs = ChartText.longFlags(in: try Repository.read(Self.manifests.appendingPathComponent("deployment.yaml")))
        #expect(!manifestArgs.isEmpty && !chartArgs.isEmpty)
        #expect(manifestArgs.subtracting(flags).sorted() == [], "manifests/deployment.yaml")
        #expect(chartArgs.subtracting(flags).sorted() == [], "charts/ferry/templates/deployment.yaml")
        // Client connection flags make no sense in a pod (it uses its ServiceAccount).
        let notInChart: Set = ["--kubeconfig", "--context", "--help", "--version"]
        #expect(flags.subtracting(chartArgs).subtracting(notInChart).sorted() == [], "add a value and an arg for each new operator flag")
    }
}

/// Reading Helm template text without Helm.
enum ChartText {
    /// `.Values.a.b` (also `$.Values.a.b`) paths, as key lists.
    static func valuePaths(in text: String) -> [[String]] {
        let regex = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/
        return text.matches(of: regex).map { match in match.output.1.split(separator: ".").map(String.init) }
    }

    /// The template with comments and whole-line actions (`if`, `range`, `include ... | nindent`)
    /// dropped and every inline action replaced by `ferry` (the release name it is read for).
    static func detemplated(_ text: String) -> String {
        let withoutComments = text.replacing(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/, with: "")
        return withoutComments.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{{") && trimmed.hasSuffix("}}") && trimmed.ranges(of: "{{").count == 1 { return nil }
            return String(line).replacing(/\{\{.*?\}\}/, with: "ferry")
        }.joined(separator: "\n")
    }

    /// Every `--long-flag` named in a text (container args).
    static func longFlags(in text: String) -> Set<String> {
        Set(text.matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
    }

    /// The options an ArgumentParser help text declares: lines indented by two spaces that
    /// start with the option (descriptions, which may name other tools' flags, are indented further).
    static func optionNames(inHelp help: String) -> Set<String> {
        var out = Set<String>()
        for line in help.split(separator: "\n") {
            if let match = line.wholeMatch(of: /[ ]{2}(?:-[a-zA-Z], )?(--[a-z][a-z0-9-]*)(?:[ ,<].*)?/) { out.insert(String(match.output.1)) }
        }
        return out
    }
}
