import DTLS
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Signaling
import Testing
import WireKit
@testable import Rendezvous

#if canImport(Glibc)
import Glibc
#endif

/// Runs a real server on 127.0.0.1 (any free port) for the duration of `body`.
func withServer(_ configure: (inout RendezvousConfiguration) -> Void = { _ in },
                _ body: @Sendable (RendezvousServer, Int) async throws -> Void) async throws {
    var configuration = RendezvousConfiguration()
    configuration.port = 0
    configure(&configuration)
    var logger = Logger(label: "rendezvous-test")
    logger.logLevel = .warning
    let server = RendezvousServer(configuration: configuration, logger: logger)
    let (ports, portSink) = AsyncStream<Int>.makeStream()
    let app = server.makeApplication { channel in
        portSink.yield(channel.localAddress?.port ?? 0)
    }
    let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        defer { Task { await group.triggerGracefulShutdown() } }
        try await body(server, port)
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Waits (at most `seconds`) for the first event matching `predicate`.
func nextEvent(_ iterator: inout AsyncStream<SignalingClientEvent>.Iterator, within seconds: Int = 10,
               where predicate: @Sendable (SignalingClientEvent) -> Bool) async -> SignalingClientEvent? {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        guard let event = await iterator.next() else { return nil }
        if predicate(event) { return event }
    }
    return nil
}

/// Waits for an event matching `predicate` and records an issue when none comes.
@discardableResult
func expectEvent(_ iterator: inout AsyncStream<SignalingClientEvent>.Iterator,
                 sourceLocation: SourceLocation = #_sourceLocation,
                 where predicate: @Sendable (SignalingClientEvent) -> Bool) async -> SignalingClientEvent? {
    let event = await nextEvent(&iterator, where: predicate)
    #expect(event != nil, "the expected event never came", sourceLocation: sourceLocation)
    return event
}

@Suite("End to end over real WebSockets on loopback", .timeLimit(.minutes(1)))
struct EndToEndTests {
    static func client(_ identity: DeviceIdentity, port: Int) -> SignalingClient {
        var configuration = SignalingClientMachine.Configuration()
        configuration.expectedServerIdentity = "peersync-rendezvous"
        var logger = Logger(label: "client")
        logger.logLevel = .warning
        return SignalingClient(url: "ws://127.0.0.1:\(port)/ws", credential: DeviceIdentityCredential(identity),
                               configuration: configuration, logger: logger)
    }

    @Test("two clients authenticate, see presence, relay a signal and pair through a room")
    func twoClients() async throws {
        try await withServer { server, port in
            let alice = Self.client(Devices.alice, port: port)
            let bob = Self.client(Devices.bob, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await alice.run() }
                var aliceEvents = alice.events.makeAsyncIterator()
                await expectEvent(&aliceEvents) { $0 == .authenticated(Devices.alice.deviceID) }
                try await alice.send(.subscribe([Devices.bob.deviceID]))
                await expectEvent(&aliceEvents) { $0 == .message(.presence(device: Devices.bob.deviceID, online: false)) }

                tasks.addTask { await bob.run() }
                var bobEvents = bob.events.makeAsyncIterator()
                await expectEvent(&bobEvents) { $0 == .authenticated(Devices.bob.deviceID) }
                await expectEvent(&aliceEvents) { $0 == .message(.presence(device: Devices.bob.deviceID, online: true)) }

                try await alice.send(.signal(to: Devices.bob.deviceID, payload: #"{"kind":"offer","sdp":"v=0"}"#))
                await expectEvent(&bobEvents) {
                    $0 == .message(.signal(from: Devices.alice.deviceID, payload: #"{"kind":"offer","sdp":"v=0"}"#))
                }

                // Pairing room: alice creates, bob joins, one message each way, burnt after done.
                try await alice.send(.createRoom(code: "4711"))
                await expectEvent(&aliceEvents) { $0 == .message(.roomCreated(code: "4711", expiresIn: 600)) }
                try await bob.send(.joinRoom(code: "4711"))
                await expectEvent(&bobEvents) { $0 == .message(.roomJoined(code: "4711")) }
                try await bob.send(.roomMessage(code: "4711", payload: "spake2-b"))
                await expectEvent(&aliceEvents) { $0 == .message(.roomMessage(code: "4711", payload: "spake2-b")) }
                try await alice.send(.closeRoom(code: "4711", outcome: .done))
                await expectEvent(&bobEvents) { $0 == .message(.roomClosed(code: "4711", reason: .done)) }

                let counts = await server.counts()
                #expect(counts.devices == 2 && counts.rooms == 0)

                // Bob leaves: alice sees him go offline.
                await bob.stop()
                await expectEvent(&aliceEvents) { $0 == .message(.presence(device: Devices.bob.deviceID, online: false)) }
                await alice.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("a second connection of the same device replaces the first, which stops with 4003")
    func newerWins() async throws {
        try await withServer { _, port in
            let first = Self.client(Devices.carol, port: port)
            let second = Self.client(Devices.carol, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await first.run() }
                var firstEvents = first.events.makeAsyncIterator()
                await expectEvent(&firstEvents) { $0 == .authenticated(Devices.carol.deviceID) }
                tasks.addTask { await second.run() }
                var secondEvents = second.events.makeAsyncIterator()
                await expectEvent(&secondEvents) { $0 == .authenticated(Devices.carol.deviceID) }
                let closed = await nextEvent(&firstEvents) { if case .disconnected = $0 { true } else { false } }
                #expect(closed == .disconnected(code: 4003, reason: "replaced-by-newer-connection", reconnectIn: nil))
                await second.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("/healthz, /metrics and /demo answer over HTTP; refusals are counted")
    func healthAndMetrics() async throws {
        try await withServer { _, port in
            let client = Self.client(Devices.dave, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await client.run() }
                var events = client.events.makeAsyncIterator()
                await expectEvent(&events) { $0 == .authenticated(Devices.dave.deviceID) }
                try await client.send(.signal(to: Devices.alice.deviceID, payload: "x"))
                await expectEvent(&events) { if case .message(.error(.deviceOffline, _, _)) = $0 { true } else { false } }
                #expect(await httpGetOffPool(port: port, path: "/healthz")?.hasSuffix("ok\n") == true)
                let metrics = await httpGetOffPool(port: port, path: "/metrics") ?? ""
                #expect(metrics.contains("rendezvous_connections 1.0"))
                #expect(metrics.contains(#"rendezvous_refusals_total{reason="device-offline"} 1"#))
                let demo = await httpGetOffPool(port: port, path: "/demo") ?? ""
                #expect(demo.contains("crypto.subtle.sign") && demo.contains("peersync-rendezvous-auth-v1"),
                        "GET /demo gave \(demo.utf8.count) bytes: \(demo.prefix(300))")
                await client.stop()
                try await tasks.waitForAll()
            }
        }
    }
}

extension EndToEndTests {
    @Test("closed by the server (rate limit, 4004), the client reconnects with backoff and re-authenticates")
    func reconnect() async throws {
        try await withServer({ configuration in
            configuration.limits.messagesPerSecond = 0.001  // no refill while the test runs, however slow the machine
            configuration.limits.messageBurst = 2
            configuration.limits.rateLimitCloseAfter = 2
        }) { _, port in
            let client = Self.client(Devices.alice, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await client.run() }
                var events = client.events.makeAsyncIterator()
                await expectEvent(&events) { $0 == .authenticated(Devices.alice.deviceID) }
                // auth used one token; one ping passes, two are refused, the second refusal closes.
                for i in 0..<3 { try await client.send(.ping(id: "\(i)")) }
                let closed = await nextEvent(&events) { if case .disconnected = $0 { true } else { false } }
                guard case .disconnected(4004, _, let retry?) = closed else {
                    Issue.record("expected a 4004 close with a retry, got \(String(describing: closed))")
                    return
                }
                #expect(retry <= .milliseconds(500))
                await expectEvent(&events) { $0 == .authenticated(Devices.alice.deviceID) }
                await client.stop()
                try await tasks.waitForAll()
            }
        }
    }
}

/// `httpGet` on NIO's blocking-I/O thread pool, so the cooperative pool (two threads here)
/// keeps serving the server under test.
func httpGetOffPool(port: Int, path: String) async -> String? {
    try? await NIOThreadPool.singleton.runIfActive { httpGet(port: port, path: path) }
}

/// A blocking HTTP/1.1 GET with `Connection: close` on 127.0.0.1 (loopback only); the whole response as text.
func httpGet(port: Int, path: String) -> String? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    var timeout = timeval(tv_sec: 30, tv_usec: 0)  // a bound, in case the server never closes (generous: the suite runs in parallel)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
    guard send(fd, request, request.count, 0) == request.count else { return nil }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n <= 0 { break }
        response.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: response, as: UTF8.self)
}
