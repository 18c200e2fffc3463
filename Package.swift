// swift-tools-version: 6.1
import PackageDescription

// Layers, each depending only on those above it:
//   KubeCore        object model, JSON values, selectors, request building (no I/O)
//   KubeMachinery   patches, structural schemas, CEL subset, JSONPath, tables, OpenAPI (no I/O)
//   FerryAPI        the Ferry resource types (Source, Destination, Connection, Sync, WorkerPool), CRDs, validation
//   FerrySchedule   cron (5-field and Quartz) and interval schedules over IANA time zones (pure, no I/O)
//   FerryAutoscaling the HPA-equivalent worker count calculation for WorkerPools (pure, no I/O)
//   AirbyteProtocol Airbyte protocol messages: byte-level classification, parsing, state tracking (no I/O)
//   FerryWorker     the relay between source and destination connectors (`ferry worker`, `ferry run`)
//   FerryConnectors built-in Airbyte-protocol connectors (sample source, JSON-lines and PostgreSQL destinations)
//   KubeClient      the production Kubernetes client (kubeconfig, auth, HTTP, watch)
//   KubeRuntime     the controller runtime: watcher, reflector, work queue, controller, leader election
//   FerryControllers the reconcilers (one per kind) and the worker pod builder
//   FerryLocalRuntime a kubelet-like node agent running pods' containers as local processes
//   KubeAPIServer   the embedded Kubernetes-compatible API server used by tests and `ferry dev`
//   FerryCLI        the one `ferry` executable
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["FerryCLI"]),
        .library(name: "KubeCore", targets: ["KubeCore"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .library(name: "KubeAPIServer", targets: ["KubeAPIServer"]),
        // For the fuzz targets' package (Fuzz/Package.swift).
        .library(name: "AirbyteProtocol", targets: ["AirbyteProtocol"]),
        .library(name: "FerryAPI", targets: ["FerryAPI"]),
        .library(name: "FerrySchedule", targets: ["FerrySchedule"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "KubeCore",
            swiftSettings: strict
        ),
        .target(
            name: "KubeMachinery",
            dependencies: ["KubeCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "FerryAPI",
            dependencies: ["KubeCore", "KubeMachinery", "AirbyteProtocol", "CZlib", "FerrySchedule", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "FerrySchedule",
            swiftSettings: strict
        ),
        .target(
            name: "FerryAutoscaling",
            dependencies: ["KubeCore", "FerryAPI"],
            swiftSettings: strict
        ),
        .target(
            name: "AirbyteProtocol",
            dependencies: ["KubeCore"],
            swiftSettings: strict
        ),
        .target(
            name: "FerryWorker",
            dependencies: ["KubeCore", "AirbyteProtocol", "FerryAPI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "FerryConnectors",
            dependencies: [
                "KubeCore",
                "AirbyteProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeCore",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FerryControllers",
            dependencies: [
                "KubeCore",
                "KubeMachinery",
                "FerryAPI",
                "AirbyteProtocol",
                "KubeClient",
                "KubeRuntime",
                "FerrySchedule",
                "FerryAutoscaling",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FerryLocalRuntime",
            dependencies: [
                "KubeCore",
                "KubeClient",
                "KubeRuntime",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeAPIServer",
            dependencies: [
                "KubeCore",
                "KubeMachinery",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "FerryCLI",
            dependencies: [
                "KubeCore",
                "KubeClient",
                "KubeAPIServer",
                "FerryAPI",
                "KubeRuntime",
                "AirbyteProtocol",
                "FerryWorker",
                "FerryConnectors",
                "FerryControllers",
                "FerryLocalRuntime",
                "FerrySchedule",
                "FerryAutoscaling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "KubeTestSupport",
            dependencies: ["KubeCore", "KubeClient", "KubeAPIServer"],
            path: "Tests/KubeTestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "KubeCoreTests", dependencies: ["KubeCore"], swiftSettings: strict),
        .testTarget(name: "KubeMachineryTests", dependencies: ["KubeCore", "KubeMachinery"], swiftSettings: strict),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeCore", "KubeClient", "KubeAPIServer", "KubeTestSupport", .product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .testTarget(name: "KubeAPIServerTests", dependencies: ["KubeCore", "KubeMachinery", "KubeAPIServer", "KubeClient", "KubeTestSupport"], swiftSettings: strict),
        .testTarget(name: "KubeRuntimeTests", dependencies: ["KubeCore", "KubeClient", "KubeRuntime", "KubeAPIServer", "KubeTestSupport"], swiftSettings: strict),
        .testTarget(name: "FerryAPITests", dependencies: ["KubeCore", "KubeMachinery", "FerryAPI", "KubeAPIServer", "KubeTestSupport"], swiftSettings: strict),
        .testTarget(name: "FerryScheduleTests", dependencies: ["FerrySchedule"], swiftSettings: strict),
        .testTarget(name: "FerryAutoscalingTests", dependencies: ["KubeCore", "FerryAPI", "FerryAutoscaling"], swiftSettings: strict),
        .testTarget(name: "FerryWorkerTests", dependencies: ["KubeCore", "AirbyteProtocol", "FerryWorker", "FerryConnectors"], swiftSettings: strict),
        .testTarget(name: "FerryConnectorsTests", dependencies: ["KubeCore", "AirbyteProtocol", "FerryConnectors", "KubeTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")], swiftSettings: strict),
        .testTarget(name: "FerryRunTests", dependencies: ["KubeCore", "AirbyteProtocol", "FerryAPI", "FerryWorker", "KubeTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")], swiftSettings: strict),
        .testTarget(name: "FerryControllersTests", dependencies: ["KubeCore", "KubeMachinery", "FerryAPI", "AirbyteProtocol", "FerryControllers", "KubeClient", "KubeRuntime", "KubeAPIServer", "KubeTestSupport"], swiftSettings: strict),
        .testTarget(name: "FerryLocalRuntimeTests", dependencies: ["KubeCore", "KubeClient", "KubeRuntime", "FerryLocalRuntime", "KubeAPIServer", "KubeTestSupport"], swiftSettings: strict),
        .testTarget(name: "KubectlTests", dependencies: ["KubeCore", "KubeAPIServer", "KubeTestSupport"], swiftSettings: strict),
    ]
)
