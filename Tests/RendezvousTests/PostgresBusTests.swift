import DTLS
import Logging
import NIOPosix
import ServiceLifecycle
import Signaling
import Testing
@testable import Rendezvous

@Suite("Scale-out over PostgreSQL LISTEN/NOTIFY", .serialized, .timeLimit(.minutes(1)))
struct PostgresBusTests {
    @Test("two server nodes on one PostgreSQL: presence, signals and a room across nodes")
    func twoNodes() async throws {
        let postgres = try LocalPostgres.start()
        defer { postgres.stop() }
        var logger = Logger(label: "pg-bus-test")
        logger.logLevel = .warning
        let busA = try PostgresBus(conninfo: postgres.conninfo, logger: logger)
        let busB = try PostgresBus(conninfo: postgres.conninfo, logger: logger)
        var configuration = RendezvousConfiguration()
        configuration.port = 0
        let serverA = RendezvousServer(configuration: configuration, logger: logger, bus: busA, node: NodeID("a"))
        let serverB = RendezvousServer(configuration: configuration, logger: logger, bus: busB, node: NodeID("b"))
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let appA = serverA.makeApplication { portSink.yield($0.localAddress?.port ?? 0) }
        let appB = serverB.makeApplication { portSink.yield($0.localAddress?.port ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [appA, appB], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var portIterator = ports.makeAsyncIterator()
            let first = await portIterator.next() ?? 0
            let second = await portIterator.next() ?? 0
            defer { Task { await group.triggerGracefulShutdown() } }
            // Which port is which node does not matter: alice and bob end up on different nodes.
            let alice = EndToEndTests.client(Devices.alice, port: first)
            let bob = EndToEndTests.client(Devices.bob, port: second)
            tasks.addTask { await alice.run() }
            tasks.addTask { await bob.run() }
            var aliceEvents = alice.events.makeAsyncIterator()
            var bobEvents = bob.events.makeAsyncIterator()
            await expectEvent(&aliceEvents) { $0 == .authenticated(Devices.alice.deviceID) }
            await expectEvent(&bobEvents) { $0 == .authenticated(Devices.bob.deviceID) }
            // Presence crosses the bus (bob may or may not be announced yet: wait for online).
            try await alice.send(.subscribe([Devices.bob.deviceID]))
            await expectEvent(&aliceEvents) { $0 == .message(.presence(device: Devices.bob.deviceID, online: true)) }
            try await alice.send(.signal(to: Devices.bob.deviceID, payload: "offer-over-postgres"))
            await expectEvent(&bobEvents) { $0 == .message(.signal(from: Devices.alice.deviceID, payload: "offer-over-postgres")) }
            // A room on alice's node, joined from bob's.
            try await alice.send(.createRoom(code: "808"))
            await expectEvent(&aliceEvents) { $0 == .message(.roomCreated(code: "808", expiresIn: 600)) }
            var joined = false
            for _ in 0..<20 where !joined {
                // The room announcement may still be in flight: retry join until it is known.
                try await bob.send(.joinRoom(code: "808"))
                let event = await nextEvent(&bobEvents) {
                    if case .message(.roomJoined) = $0 { return true }
                    if case .message(.error(.noSuchRoom, _, _)) = $0 { return true }
                    return false
                }
                joined = event == .message(.roomJoined(code: "808"))
                if !joined { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(joined)
            try await bob.send(.roomMessage(code: "808", payload: "pake"))
            await expectEvent(&aliceEvents) { $0 == .message(.roomMessage(code: "808", payload: "pake")) }
            try await alice.send(.closeRoom(code: "808", outcome: .done))
            await expectEvent(&bobEvents) { $0 == .message(.roomClosed(code: "808", reason: .done)) }
            await bob.stop()
            await expectEvent(&aliceEvents) { $0 == .message(.presence(device: Devices.bob.deviceID, online: false)) }
            await alice.stop()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
