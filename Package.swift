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
        .library(name: "Signaling", targets: ["Signaling"]),
        .library(name: "Rendezvous", targets: ["Rendezvous"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C shims — the only place C is visible.
        .systemLibrary(name: "COpenSSL", path: "Sources/CShims/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CShims/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSystemd", path: "Sources/CShims/CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CShims/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .target(name: "CPlatform", path: "Sources/CPlatform",
                cSettings: [.unsafeFlags(["-O3"])]),

        // MARK: Foundation
        .target(name: "WireKit", dependencies: ["CPlatform"]),
        .target(name: "NetSim", dependencies: ["WireKit"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // MARK: Protocol cores
        .target(name: "DTLS", dependencies: ["WireKit", "COpenSSL"]),

        // MARK: Signaling (rendezvous wire protocol, client) and the rendezvous server
        .target(name: "Signaling", dependencies: [
            "WireKit", "DTLS", "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "WSCore", package: "swift-websocket"),
        ]),
        .target(name: "Rendezvous", dependencies: [
            "Signaling", "DTLS", "WireKit", "CLibPQ",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "syncd-rendezvous", dependencies: [
            "Rendezvous",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Benchmarks and tools
        .executableTarget(name: "wirekit-bench", dependencies: ["WireKit"], path: "Benchmarks/WireKitBench"),
        .executableTarget(name: "rendezvous-bench", dependencies: [
            "Signaling", "DTLS", "WireKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], path: "Benchmarks/RendezvousBench"),
        .executableTarget(name: "netsim-demo", dependencies: ["NetSim", "WireKit"], path: "Sources/netsim-demo"),

        // MARK: Tests
        .testTarget(name: "CShimsTests", dependencies: ["COpenSSL", "CZstd", "CSystemd", "CPlatform"]),
        .testTarget(name: "WireKitTests", dependencies: ["WireKit"]),
        .testTarget(name: "DTLSTests", dependencies: ["DTLS", "WireKit", "COpenSSL"]),
        .testTarget(name: "NetSimTests", dependencies: ["NetSim", "WireKit"]),
        .testTarget(name: "SignalingTests", dependencies: ["Signaling", "DTLS", "WireKit"]),
        .testTarget(name: "RendezvousTests", dependencies: [
            "Rendezvous", "Signaling", "DTLS", "WireKit",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
    ]
)
