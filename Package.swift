// swift-tools-version:6.0
// PeerSync: peer-to-peer folder sync over WebRTC data channels.
// Module layout: see docs and DESIGN (pure sans-IO cores in the middle, one driver at the edge,
// thin executables on top). A target exists only when it holds real code.
import PackageDescription

/// Release builds of the data-path modules (datagram → ICE → DTLS → SCTP → data channel) skip
/// the runtime exclusivity checks (`swift_beginAccess` on class properties: 4–5 % of a bulk
/// transfer's CPU, docs/peerconnection.md), and so do the sync modules' (SyncProtocol, SyncFS,
/// SyncEngine: 0.5–0.9 % of a daemon's samples in an initial sync). Debug builds and tests keep them, and the compile-time
/// checks stay on everywhere.
let dataPathSettings: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

/// How release builds on Linux link the installed executables (syncd, syncctl, syncd-rendezvous), with
/// lld (part of the Swift toolchain):
/// - relative relocations packed (DT_RELR, glibc 2.36 or newer): a PIE with the Swift runtime
///   linked in had 108,000 `R_X86_64_RELATIVE` entries, 2.5 MiB that every start read and kept
///   resident; packed they take 21 KB;
/// - no export of every symbol to the dynamic table: ld.so searched the executable's 27,900
///   exported Swift symbols first for each library symbol it bound (0.7–1.6 MiB touched);
/// - with `orderFile` (syncd), the functions a sync runs placed together, in that file's order:
///   the kernel maps an executable 64 KiB around each page fault, and a working set spread over
///   all 24 MB of code kept 22.8 MiB of the code and read-only data resident during a sync
///   (14.1 + 2.8 MiB now). The file comes from `contrib/bench/code-order.py`; a function
///   missing from it is only placed after the others, and a stale file costs memory, not
///   correctness. The build does not track it: after rewriting it, remove the syncd binary.
/// Peak RSS of a daemon in the initial sync of `contrib/bench/sync-compare.py` (1 GiB, PeerSync
/// alone, three alternating rounds each): 62–64 MiB with the default link, 54–57 with this one.
func leanLinking(orderFile: String? = nil) -> [LinkerSetting] {
    var flags = ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"]
    if let orderFile {
        flags += ["-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/\(orderFile)", "-Xlinker", "--no-warn-symbol-ordering"]
    }
    return [.unsafeFlags(flags, .when(platforms: [.linux], configuration: .release))]
}

let package = Package(
    name: "PeerSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "WireKit", targets: ["WireKit"]),
        .library(name: "STUN", targets: ["STUN"]),
        .library(name: "ICE", targets: ["ICE"]),
        .library(name: "ICEDriver", targets: ["ICEDriver"]),
        .library(name: "NetSim", targets: ["NetSim"]),
        .library(name: "DTLS", targets: ["DTLS"]),
        .library(name: "Signaling", targets: ["Signaling"]),
        .library(name: "Rendezvous", targets: ["Rendezvous"]),
        .library(name: "SCTP", targets: ["SCTP"]),
        .library(name: "DataChannel", targets: ["DataChannel"]),
        .library(name: "SyncProtocol", targets: ["SyncProtocol"]),
        .library(name: "SyncFS", targets: ["SyncFS"]),
        .library(name: "SyncStore", targets: ["SyncStore"]),
        .library(name: "SyncEngine", targets: ["SyncEngine"]),
        .library(name: "RTP", targets: ["RTP"]),
        .library(name: "SRTP", targets: ["SRTP"]),
        .library(name: "Media", targets: ["Media"]),
        .library(name: "PeerConnection", targets: ["PeerConnection"]),
        .library(name: "RTCDriver", targets: ["RTCDriver"]),
        .executable(name: "rtc-peer", targets: ["rtc-peer"]),
        .library(name: "Daemon", targets: ["Daemon"]),
        .executable(name: "syncd", targets: ["syncd"]),
        .executable(name: "syncctl", targets: ["syncctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
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
        .systemLibrary(name: "CSRTP", path: "Sources/CShims/CSRTP", pkgConfig: "libsrtp2",
                       providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpus", path: "Sources/CShims/COpus", pkgConfig: "opus",
                       providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "CVPX", path: "Sources/CShims/CVPX", pkgConfig: "vpx",
                       providers: [.apt(["libvpx-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CShims/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .target(name: "CPlatform", path: "Sources/CPlatform",
                cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "CPulseDL", path: "Sources/CShims/CPulseDL", linkerSettings: [.linkedLibrary("dl")]),
        // X11 capture: libxcb + libxcb-shm through dlopen (headers from libxcb1-dev/libxcb-shm0-dev at build time only).
        .target(name: "CXCBDL", path: "Sources/CShims/CXCBDL", linkerSettings: [.linkedLibrary("dl")]),
        // SHA-256 with SHA-NI, one message or two interleaved (SyncFS chunk hashing; OpenSSL when the CPU lacks SHA-NI).
        .target(name: "CSHA256", path: "Sources/CShims/CSHA256", cSettings: [.unsafeFlags(["-O2"])]),

        // MARK: Foundation
        .target(name: "WireKit", dependencies: ["CPlatform"], swiftSettings: dataPathSettings),
        .target(name: "NetSim", dependencies: ["WireKit"], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),

        // MARK: Connectivity (STUN, ICE, TURN client; sans-IO) and its NIO driver
        .target(name: "STUN", dependencies: ["WireKit", "COpenSSL"]),
        .target(name: "ICE", dependencies: ["WireKit", "STUN"], swiftSettings: dataPathSettings),
        .target(name: "ICEDriver", dependencies: ["ICE", "WireKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: dataPathSettings),

        // MARK: SCTP and data channels
        .target(name: "SCTP", dependencies: ["WireKit", "COpenSSL", .product(name: "DequeModule", package: "swift-collections")], swiftSettings: dataPathSettings),
        .target(name: "DataChannel", dependencies: ["SCTP", "WireKit"], swiftSettings: dataPathSettings),
        .target(name: "SCTPTestSupport", dependencies: ["SCTP", "DataChannel", "NetSim", "WireKit"]),
        .target(name: "ICETestSupport", dependencies: ["NetSim", "STUN", "WireKit"]),
        .target(name: "MediaTestSupport"),

        // MARK: Protocol cores
        .target(name: "DTLS", dependencies: ["WireKit", "COpenSSL"], swiftSettings: dataPathSettings),

        // MARK: Media (RTP/RTCP sans-IO, SRTP via libsrtp2, codecs and sources)
        .target(name: "RTP", dependencies: ["WireKit"]),
        .target(name: "SRTP", dependencies: ["WireKit", "CSRTP"]),
        .target(name: "Media", dependencies: ["RTP", "WireKit", "COpus", "CVPX", "CXCBDL"]),

        // MARK: Signaling side: SDP, pairing
        .target(name: "Pairing", dependencies: ["COpenSSL", "WireKit"]),

        // MARK: Signaling (rendezvous wire protocol, client) and the rendezvous server
        .target(name: "Signaling", dependencies: [
            "WireKit", "DTLS", "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "WSCore", package: "swift-websocket"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .target(name: "Rendezvous", dependencies: [
            "Signaling", "DTLS", "WireKit", "CLibPQ",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "syncd-rendezvous", dependencies: [
            "Rendezvous",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: leanLinking()),

        // MARK: Sync side (no WebRTC imports)
        .target(name: "SyncProtocol", dependencies: ["WireKit", "CZstd"], swiftSettings: dataPathSettings),
        .target(name: "SyncFS", dependencies: ["WireKit", "SyncProtocol", "COpenSSL", "CSHA256"], swiftSettings: dataPathSettings),
        .target(name: "SyncStore", dependencies: ["SyncProtocol", "SyncFS", "SyncEngine", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "SyncEngine", dependencies: ["WireKit", "SyncProtocol", "SyncFS"], swiftSettings: dataPathSettings),
        .target(name: "SDP"),
        // MARK: PeerConnection (sans-IO) and its NIO driver
        .target(name: "PeerConnection", dependencies: ["WireKit", "ICE", "DTLS", "SCTP", "DataChannel", "SDP", "RTP", "SRTP", "Media", .product(name: "DequeModule", package: "swift-collections")], swiftSettings: dataPathSettings),
        .target(name: "RTCDriver", dependencies: ["PeerConnection", "ICEDriver", "DataChannel", "WireKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")], swiftSettings: dataPathSettings),
        .executableTarget(name: "rtc-peer", dependencies: ["RTCDriver", "PeerConnection", "DataChannel", "DTLS", "ICE", "ICEDriver", "WireKit", "COpenSSL", "CPlatform",
                                                  "Signaling", .product(name: "Logging", package: "swift-log")], path: "Sources/rtc-peer",
                          swiftSettings: dataPathSettings),

        // MARK: Daemon and CLI
        .target(name: "ControlAPI", dependencies: []),
        .target(name: "Daemon", dependencies: ["ControlAPI", "CPlatform", "SyncEngine", "SyncStore", "SyncFS", "SyncProtocol", "DTLS", "Pairing", "WireKit", "CSystemd", "RTCDriver", "PeerConnection", "ICE", "ICEDriver", "DataChannel", "Signaling", "Media", "RTP", "CPulseDL", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        .executableTarget(name: "syncd", dependencies: ["Daemon", "ControlAPI", "CPlatform", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                         exclude: ["syncd.order"], linkerSettings: leanLinking(orderFile: "Sources/syncd/syncd.order")),
        .executableTarget(name: "syncctl", dependencies: ["ControlAPI", .product(name: "ArgumentParser", package: "swift-argument-parser")], linkerSettings: leanLinking()),
        // Test tool (not a product): a paired device that attacks syncd (contrib/system daemon scenario hostile-peer).
        .executableTarget(name: "hostile-peer", dependencies: ["Daemon", "ControlAPI", "SyncProtocol", "SyncFS", "SyncEngine", "WireKit", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")], path: "Sources/hostile-peer"),

        // MARK: Benchmarks and tools
        .executableTarget(name: "sync-bench", dependencies: ["WireKit", "SyncProtocol", "SyncFS", "SyncEngine", "SyncStore"], path: "Benchmarks/SyncBench"),
        .executableTarget(name: "rendezvous-bench", dependencies: [
            "Signaling", "DTLS", "WireKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
        ], path: "Benchmarks/RendezvousBench"),
        .executableTarget(name: "wirekit-bench", dependencies: ["WireKit"], path: "Benchmarks/WireKitBench"),
        .executableTarget(name: "ice-bench", dependencies: ["ICE", "STUN", "NetSim", "WireKit"], path: "Benchmarks/ICEBench"),
        .executableTarget(name: "media-bench", dependencies: ["Media", "RTP", "SRTP", "WireKit"], path: "Benchmarks/MediaBench"),
        .executableTarget(name: "dtls-bench", dependencies: ["DTLS", "WireKit"], path: "Benchmarks/DTLSBench"),
        .executableTarget(name: "netsim-demo", dependencies: ["NetSim", "WireKit"], path: "Sources/netsim-demo"),
        .executableTarget(name: "ice-probe", dependencies: ["ICE", "STUN", "WireKit"], path: "Sources/ice-probe"),
        .executableTarget(name: "sctp-bench", dependencies: ["SCTP", "DataChannel", "SCTPTestSupport", "WireKit"], path: "Benchmarks/SCTPBench"),

        // MARK: Tests
        .testTarget(name: "CShimsTests", dependencies: ["COpenSSL", "CZstd", "CSystemd", "CPlatform"]),
        .testTarget(name: "WireKitTests", dependencies: ["WireKit"]),
        .testTarget(name: "STUNTests", dependencies: ["STUN", "WireKit"]),
        .testTarget(name: "ICETests", dependencies: ["ICE", "ICETestSupport", "STUN", "WireKit", "NetSim"]),
        .testTarget(name: "DataPathTests", dependencies: ["ICEDriver", "WireKit", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "ICEInteropTests", dependencies: ["ICEDriver", "ICE", "STUN", "WireKit", "NetSim"]),
        .testTarget(name: "NetSimTests", dependencies: ["NetSim", "WireKit"]),
        .testTarget(name: "SCTPTests", dependencies: ["SCTP", "SCTPTestSupport", "NetSim", "WireKit"]),
        .testTarget(name: "DataChannelTests", dependencies: ["DataChannel", "SCTP", "SCTPTestSupport", "NetSim", "WireKit"]),
        .testTarget(name: "DTLSTests", dependencies: ["DTLS", "WireKit", "COpenSSL"], exclude: ["Fixtures"]),
        .testTarget(name: "SDPTests", dependencies: ["SDP", "WireKit"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PairingTests", dependencies: ["Pairing", "WireKit"]),
        .testTarget(name: "SignalingTests", dependencies: ["Signaling", "DTLS", "WireKit"]),
        .testTarget(name: "RendezvousTests", dependencies: [
            "Rendezvous", "Signaling", "DTLS", "WireKit",
            "CLibPQ",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "WSCore", package: "swift-websocket"),
        ]),
        .testTarget(name: "SyncProtocolTests", dependencies: ["SyncProtocol", "WireKit"]),
        .testTarget(name: "SyncFSTests", dependencies: ["SyncFS", "SyncProtocol", "WireKit"]),
        .testTarget(name: "SyncStoreTests", dependencies: ["SyncStore", "SyncEngine", "SyncFS", "SyncProtocol"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP", "WireKit"]),
        .testTarget(name: "SRTPTests", dependencies: ["SRTP", "RTP", "WireKit"]),
        .testTarget(name: "MediaTests", dependencies: ["MediaTestSupport", "Media", "RTP", "SRTP", "NetSim", "WireKit"]),
        .testTarget(name: "SyncEngineTests", dependencies: ["SyncEngine", "SyncFS", "SyncProtocol", "WireKit"]),
        .testTarget(name: "PeerConnectionTests", dependencies: ["PeerConnection", "ICE", "ICETestSupport", "DTLS", "DataChannel", "SDP", "NetSim", "WireKit"]),
        .testTarget(name: "PeerConnectionMediaTests", dependencies: ["MediaTestSupport", "PeerConnection", "Media", "RTP", "DTLS", "NetSim", "WireKit"]),
        .testTarget(name: "MediaInteropTests", dependencies: ["MediaTestSupport", "PeerConnection", "Media", "RTP", "DTLS", "WireKit"]),
        .testTarget(name: "PeerConnectionInteropTests", dependencies: ["PeerConnection", "DTLS", "Signaling", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RTCDriverTests", dependencies: ["RTCDriver", "PeerConnection", "DataChannel", "DTLS", "WireKit"]),
        .testTarget(name: "SyncdSystemTests", dependencies: ["ControlAPI", "SyncFS", "WireKit", "Media", "MediaTestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "ControlAPI", "SyncEngine", "SyncFS", "SyncProtocol", "WireKit", "DTLS", "CSystemd", "Media", "MediaTestSupport", .product(name: "Logging", package: "swift-log")]),
    ]
)

/// Release builds on Linux give every function of PeerSync's own Swift modules a section of its own, so
/// that the linker can place syncd's working set together (``leanLinking(orderFile:)``); the
/// Swift runtime's libraries are built that way already. (SwiftPM gives Swift settings to Swift
/// sources only: the C targets keep their defaults.)
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-Xfrontend", "-function-sections"], .when(platforms: [.linux], configuration: .release))]
}
