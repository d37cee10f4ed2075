// swift-tools-version: 6.0
//
// SwiftPS: a distributed parameter-server trainer. Module layering (dependencies point down):
//   swiftps (CLI) → Benchmarks → Cluster → {Wire, Datasets, Learning} → C shims
// Learning and Datasets know nothing of the network; Wire knows nothing of models.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SwiftPS",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swiftps", targets: ["swiftps"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries: one modulemap + shim header each; pkg-config supplies the paths.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // No pkgConfig: libzmq.pc adds -isystem flags SwiftPM prohibits (a warning on every build);
        // the header and library live in the default search paths on Debian/Ubuntu.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // protobuf-c code generated from proto/swiftps.proto by cluster/gen-proto (committed).
        .target(name: "CSwiftPSProto",
                linkerSettings: [.linkedLibrary("protobuf-c")]),

        .target(name: "Learning", dependencies: ["COpenBLAS"], swiftSettings: strict),
        .target(name: "Datasets", dependencies: ["CZlib", "Learning"], swiftSettings: strict),
        .target(name: "Wire", dependencies: ["CZeroMQ", "CSwiftPSProto",
                                             .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Cluster", dependencies: ["Learning", "Datasets", "Wire",
                                                .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Benchmarks", dependencies: ["Cluster", "Wire", "Learning", "Datasets", "COpenBLAS", "CZeroMQ"],
                swiftSettings: strict),
        .executableTarget(name: "swiftps", dependencies: [
            "Cluster", "Benchmarks",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),

        .testTarget(name: "LearningTests", dependencies: ["Learning"], swiftSettings: strict),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"], swiftSettings: strict),
        .testTarget(name: "WireTests", dependencies: ["Wire", "CZeroMQ"], swiftSettings: strict),
        .testTarget(name: "ClusterTests", dependencies: ["Cluster", "Datasets", "Wire", "swiftps"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
