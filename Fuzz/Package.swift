// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Ferry's parsers (docs/fuzzing.md). Built normally, each target is
// a trivial executable; `scripts/fuzz.sh` builds them with `-sanitize=fuzzer` and
// `-DFERRY_FUZZING`, where the target starts libFuzzer (FuzzSupport), which calls
// `LLVMFuzzerTestOneInput`. A separate package so the root package's build and tests
// never see the instrumented targets.
let package = Package(
    name: "FerryFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ferry", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        .executableTarget(
            name: "FuzzAirbyteLine",
            dependencies: [
                "FuzzSupport",
                .product(name: "AirbyteProtocol", package: "ferry"),
                .product(name: "KubeCore", package: "ferry"),
            ]
        ),
        .executableTarget(
            name: "FuzzKubeconfig",
            dependencies: ["FuzzSupport", .product(name: "KubeClient", package: "ferry")]
        ),
        .executableTarget(
            name: "FuzzManifest",
            dependencies: [
                "FuzzSupport",
                .product(name: "FerryAPI", package: "ferry"),
                .product(name: "KubeCore", package: "ferry"),
            ]
        ),
        .executableTarget(
            name: "FuzzCron",
            dependencies: ["FuzzSupport", .product(name: "FerrySchedule", package: "ferry")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
