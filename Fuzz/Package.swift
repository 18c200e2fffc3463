// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Ferry's parsers (docs/fuzzing.md). Built normally, each target is
// a trivial executable; `scripts/fuzz.sh` builds them with `-sanitize=fuzzer` and
// `-DFERRY_FUZZING`, where the target starts libFuzzer (FuzzSupport), which calls
// `LLVMFuzzerTestOneInput`. A separate package so the root package's build and tests
// never see the instrumented targets.
/// Each fuzz target and the root package's products it fuzzes.
let fuzzTargets: [(name: String, products: [String])] = [
    ("FuzzAirbyteLine", ["AirbyteProtocol", "KubeCore"]),
    ("FuzzKubeconfig", ["KubeClient"]),
    ("FuzzManifest", ["FerryAPI", "KubeCore"]),
    ("FuzzCron", ["FerrySchedule"]),
]

let package = Package(
    name: "FerryFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ferry", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ] + fuzzTargets.map { name, products in
        .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "ferry") })
    },
    swiftLanguageModes: [.v6]
)
