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
        .library(name: "NetSim", targets: ["NetSim"]),
        .library(name: "SCTP", targets: ["SCTP"]),
        .library(name: "DataChannel", targets: ["DataChannel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
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
        .target(name: "NetSim", dependencies: ["WireKit"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // MARK: SCTP and data channels
        .target(name: "SCTP", dependencies: ["WireKit", "COpenSSL", .product(name: "DequeModule", package: "swift-collections")]),
        .target(name: "DataChannel", dependencies: ["SCTP", "WireKit"]),
        .target(name: "SCTPTestSupport", dependencies: ["SCTP", "DataChannel", "WireKit"]),

        // MARK: Benchmarks and tools
        .executableTarget(name: "wirekit-bench", dependencies: ["WireKit"], path: "Benchmarks/WireKitBench"),
        .executableTarget(name: "netsim-demo", dependencies: ["NetSim", "WireKit"], path: "Sources/netsim-demo"),
        .executableTarget(name: "sctp-bench", dependencies: ["SCTP", "DataChannel", "SCTPTestSupport", "WireKit"], path: "Benchmarks/SCTPBench"),

        // MARK: Tests
        .testTarget(name: "CShimsTests", dependencies: ["COpenSSL", "CZstd", "CSystemd", "CPlatform"]),
        .testTarget(name: "WireKitTests", dependencies: ["WireKit"]),
        .testTarget(name: "NetSimTests", dependencies: ["NetSim", "WireKit"]),
        .testTarget(name: "SCTPTests", dependencies: ["SCTP", "SCTPTestSupport", "NetSim", "WireKit"]),
        .testTarget(name: "DataChannelTests", dependencies: ["DataChannel", "SCTP", "SCTPTestSupport", "WireKit"]),
    ]
)
