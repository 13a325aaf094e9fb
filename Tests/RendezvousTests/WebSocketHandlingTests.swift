import DTLS
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import ServiceLifecycle
import Signaling
import Synchronization
import Testing
import WSCore
@testable import Rendezvous

/// The event-loop WebSocket handling of the server (`RelayConnectionHandler`), seen from a raw
/// client: frames the protocol has no use for, the close handshake, graceful shutdown.
@Suite("Server WebSocket handling over loopback", .timeLimit(.minutes(1)))
struct WebSocketHandlingTests {
    static var logger: Logger {
        var logger = Logger(label: "raw-client")
        logger.logLevel = .warning
        return logger
    }

    /// Reads text frames until one decodes as a server message matching `predicate` (bounded).
    static func next(_ iterator: inout WebSocketInboundMessageStream.AsyncIterator,
                     where predicate: (ServerMessage) -> Bool) async throws -> ServerMessage? {
        let codec = SignalingCodec()
        for _ in 0..<10 {
            guard case .text(let text)? = try await iterator.next() else { return nil }
            if let message = try? codec.decodeServerMessage(text), predicate(message) { return message }
        }
        return nil
    }

    @Test("binary frames and frames before auth get error frames; a client close is answered with its code")
    func rawFrames() async throws {
        try await withServer { _, port in
            let closeFrame = try await WebSocketConnector.connect(url: "ws://127.0.0.1:\(port)/ws", maxFrameSize: 1 << 17,
                                                                  logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
                let hello = try? await Self.next(&messages) { if case .hello = $0 { true } else { false } }
                #expect(hello != nil)
                try? await outbound.write(.binary(ByteBuffer(bytes: [1, 2, 3])))
                let refused = try? await Self.next(&messages) { if case .error = $0 { true } else { false } }
                #expect(refused == .error(code: .badMessage, message: "malformed JSON: binary frames are not part of the protocol", ref: nil))
                try? await outbound.write(.text(SignalingCodec().encode(ClientMessage.subscribe([Devices.bob.deviceID]))))
                let early = try? await Self.next(&messages) { if case .error = $0 { true } else { false } }
                #expect(early == .error(code: .notAuthenticated, message: "send auth first", ref: "subscribe"))
                try? await outbound.write(.text(SignalingCodec().encode(ClientMessage.ping(id: "p1"))))
                let pong = try? await Self.next(&messages) { if case .pong = $0 { true } else { false } }
                #expect(pong == .pong(id: "p1"))
                try? await outbound.close(.normalClosure, reason: "bye")
            }
            #expect(closeFrame?.closeCode == .normalClosure)
        }
    }

    @Test("a fragmented message is reassembled; one over twice maxFrameBytes is closed with 1009")
    func fragments() async throws {
        try await withServer({ $0.limits.maxFrameBytes = 2_048 }) { _, port in
            let closeFrame = try await WebSocketConnector.connect(url: "ws://127.0.0.1:\(port)/ws", maxFrameSize: 1 << 17,
                                                                  logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
                _ = try? await Self.next(&messages) { if case .hello = $0 { true } else { false } }
                let ping = Array(SignalingCodec().encode(ClientMessage.ping(id: "frag")).utf8)
                let half = ping.count / 2
                try? await outbound.write(.custom(WebSocketFrame(fin: false, opcode: .text, maskKey: .random(),
                                                                 data: ByteBuffer(bytes: ping[..<half]))))
                try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(),
                                                                 data: ByteBuffer(bytes: ping[half...]))))
                let pong = try? await Self.next(&messages) { if case .pong = $0 { true } else { false } }
                #expect(pong == .pong(id: "frag"))
                // 3 × 2,000 bytes > 2 × 2,048: the server gives up on the message.
                let chunk = ByteBuffer(bytes: Array(repeating: UInt8(ascii: " "), count: 2_000))
                try? await outbound.write(.custom(WebSocketFrame(fin: false, opcode: .text, maskKey: .random(), data: chunk)))
                try? await outbound.write(.custom(WebSocketFrame(fin: false, opcode: .continuation, maskKey: .random(), data: chunk)))
                try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(), data: chunk)))
                while (try? await messages.next()) != nil {}
            }
            #expect(closeFrame?.closeCode == .messageTooLarge)
        }
    }

    @Test("frames that break RFC 6455 §5 close with 1002; a control frame between fragments is answered",
          arguments: [WebSocketFrame(fin: true, rsv1: true, opcode: .text, data: ByteBuffer(string: "{}")),
                      WebSocketFrame(fin: false, opcode: .ping, data: ByteBuffer(string: "p")),
                      WebSocketFrame(fin: true, opcode: WebSocketOpcode(encodedWebSocketOpcode: 3)!, data: ByteBuffer()),
                      WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "x"))])
    func protocolViolations(frame: WebSocketFrame) async throws {
        try await withServer { _, port in
            let closeFrame = try await WebSocketConnector.connect(url: "ws://127.0.0.1:\(port)/ws", maxFrameSize: 1 << 17,
                                                                  logger: Self.logger) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 17).makeAsyncIterator()
                _ = try? await Self.next(&messages) { if case .hello = $0 { true } else { false } }
                // A ping between the fragments of a message: the message still arrives whole.
                // (The client masks every frame it writes; unmasked frames are tested on the reader.)
                let ping = Array(SignalingCodec().encode(ClientMessage.ping(id: "between")).utf8)
                try? await outbound.write(.custom(WebSocketFrame(fin: false, opcode: .text, maskKey: .random(),
                                                                 data: ByteBuffer(bytes: ping.prefix(3)))))
                try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(),
                                                                 data: ByteBuffer(string: "p"))))
                try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(),
                                                                 data: ByteBuffer(bytes: ping.dropFirst(3)))))
                let pong = try? await Self.next(&messages) { if case .pong = $0 { true } else { false } }
                #expect(pong == .pong(id: "between"))
                try? await outbound.write(.custom(frame))
                while (try? await messages.next()) != nil {}
            }
            #expect(closeFrame?.closeCode == .protocolError)
        }
    }

    @Test("a client that stops reading is closed as a slow consumer and goes offline")
    func slowConsumer() async throws {
        try await withServer({ configuration in
            configuration.outboundQueueLimit = 8
            configuration.limits.messagesPerSecond = 1_000_000
            configuration.limits.messageBurst = 1_000_000
        }) { server, port in
            let receiver = Devices.all[5]
            // The receiver authenticates on a raw socket with a 4 KiB receive buffer, then stops reading.
            let stalled = try await NIOThreadPool.singleton.runIfActive {
                StalledWebSocketClient(port: port, identity: receiver)
            }
            guard let stalled else {
                Issue.record("the raw client could not authenticate")
                return
            }
            defer { stalled.disconnect() }
            let sender = EndToEndTests.client(Devices.alice, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await sender.run() }
                var events = sender.events.makeAsyncIterator()
                await expectEvent(&events) { $0 == .authenticated(Devices.alice.deviceID) }
                try await sender.send(.subscribe([receiver.deviceID]))
                await expectEvent(&events) { $0 == .message(.presence(device: receiver.deviceID, online: true)) }
                // More than the socket buffers hold: the server gives up on the receiver (4007).
                // Signals go out in small batches until the receiver is seen going offline.
                let offline = Mutex(false)
                tasks.addTask {
                    let payload = String(repeating: "x", count: 20_000)
                    // Ends when the receiver is offline (or the sender is stopped: `send` throws).
                    sending: for _ in 0..<100 where !offline.withLock({ $0 }) {
                        for _ in 0..<10 {
                            do { try await sender.send(.signal(to: receiver.deviceID, payload: payload)) } catch { break sending }
                        }
                        await Task.yield()
                    }
                }
                await expectEvent(&events) { $0 == .message(.presence(device: receiver.deviceID, online: false)) }
                offline.withLock { $0 = true }
                #expect(await server.counts().devices == 1)
                let metrics = await httpGetOffPool(port: port, path: "/metrics") ?? ""
                #expect(metrics.contains(#"rendezvous_refusals_total{reason="slow-consumer"} 1"#))
                await sender.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("a request for another path is not upgraded")
    func wrongPath() async throws {
        try await withServer { _, port in
            await #expect(throws: (any Error).self) {
                try await WebSocketConnector.connect(url: "ws://127.0.0.1:\(port)/elsewhere", maxFrameSize: 1 << 17,
                                                     logger: Self.logger) { _, _, _ in }
            }
            // The server still answers plain HTTP afterwards.
            #expect(await httpGetOffPool(port: port, path: "/healthz")?.hasSuffix("ok\n") == true)
        }
    }

    @Test("graceful shutdown closes authenticated WebSockets with 1001")
    func shutdown() async throws {
        var configuration = RendezvousConfiguration()
        configuration.port = 0
        let server = RendezvousServer(configuration: configuration, logger: Self.logger)
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = server.makeApplication { channel in portSink.yield(channel.localAddress?.port ?? 0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Self.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            var clientConfiguration = SignalingClientMachine.Configuration()
            clientConfiguration.expectedServerIdentity = "peersync-rendezvous"
            let client = SignalingClient(url: "ws://127.0.0.1:\(port)/ws", credential: DeviceIdentityCredential(Devices.all[4]),
                                         configuration: clientConfiguration, logger: Self.logger)
            tasks.addTask { await client.run() }
            var events = client.events.makeAsyncIterator()
            await expectEvent(&events) { $0 == .authenticated(Devices.all[4].deviceID) }
            await group.triggerGracefulShutdown()
            let closed = await nextEvent(&events) { if case .disconnected = $0 { true } else { false } }
            guard case .disconnected(1001, "server-shutdown", _) = closed else {
                Issue.record("expected a 1001 close, got \(String(describing: closed))")
                await client.stop()
                return
            }
            await client.stop()
            try await tasks.waitForAll()
        }
    }
}
