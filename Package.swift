// swift-tools-version:6.0
// PeerSync: peer-to-peer folder sync over WebRTC data channels.
// Module layout: see docs and DESIGN (pure sans-IO cores in the middle, one driver at the edge,
// thin executables on top). A target exists only when it holds real code.
import PackageDescription

let package = Package(
    name: "PeerSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "WireKit", targets: ["WireKit"]),
        .library(name: "SyncProtocol", targets: ["SyncProtocol"]),
        .library(name: "SyncFS", targets: ["SyncFS"]),
        .library(name: "SyncStore", targets: ["SyncStore"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        // MARK: C shims — the only place C is visible.
        .systemLibrary(name: "COpenSSL", path: "Sources/CShims/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CShims/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CShims/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .target(name: "CPlatform", path: "Sources/CPlatform",
                cSettings: [.unsafeFlags(["-O3"])]),

        // MARK: Foundation
        .target(name: "WireKit", dependencies: ["CPlatform"]),

        // MARK: Sync side (no WebRTC imports)
        .target(name: "SyncProtocol", dependencies: ["WireKit", "CZstd"]),
        .target(name: "SyncFS", dependencies: ["WireKit", "SyncProtocol", "COpenSSL"]),
        .target(name: "SyncStore", dependencies: ["SyncProtocol", "SyncFS", "SyncEngine", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "SyncEngine", dependencies: ["WireKit", "SyncProtocol", "SyncFS"]),

        // MARK: Benchmarks and tools
        .executableTarget(name: "sync-bench", dependencies: ["WireKit", "SyncProtocol", "SyncFS", "SyncEngine"], path: "Benchmarks/SyncBench"),
        .executableTarget(name: "wirekit-bench", dependencies: ["WireKit"], path: "Benchmarks/WireKitBench"),

        // MARK: Tests
        .testTarget(name: "CShimsTests", dependencies: ["COpenSSL", "CZstd", "CSystemd", "CPlatform"]),
        .testTarget(name: "WireKitTests", dependencies: ["WireKit"]),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", "WireKit"]),
        .testTarget(name: "SyncFSTests", dependencies: ["SyncFS", "SyncProtocol", "WireKit"]),
        .testTarget(name: "SyncStoreTests", dependencies: ["SyncStore", "SyncEngine", "SyncFS", "SyncProtocol"]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "SyncFS", "SyncProtocol", "WireKit"]),
    ]
)
