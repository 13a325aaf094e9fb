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
        .library(name: "DTLS", targets: ["DTLS"]),
        .library(name: "NetSim", targets: ["NetSim"]),
    ],
    dependencies: [
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

        // MARK: Protocol cores
        .target(name: "DTLS", dependencies: ["WireKit", "COpenSSL"]),

        // MARK: Benchmarks and tools
        .executableTarget(name: "wirekit-bench", dependencies: ["WireKit"], path: "Benchmarks/WireKitBench"),
        .executableTarget(name: "netsim-demo", dependencies: ["NetSim", "WireKit"], path: "Sources/netsim-demo"),

        // MARK: Tests
        .testTarget(name: "CShimsTests", dependencies: ["COpenSSL", "CZstd", "CSystemd", "CPlatform"]),
        .testTarget(name: "WireKitTests", dependencies: ["WireKit"]),
        .testTarget(name: "DTLSTests", dependencies: ["DTLS", "WireKit", "COpenSSL"]),
        .testTarget(name: "NetSimTests", dependencies: ["NetSim", "WireKit"]),
    ]
)
