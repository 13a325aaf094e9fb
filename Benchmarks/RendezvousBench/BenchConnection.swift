import DTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Signaling
import WireKit

/// One load-generator WebSocket client, driven on its event loop with no task per frame (the
/// full `SignalingClient`, an actor with streams, costs more per message than the server does,
/// so it cannot measure the server). It is the upgraded connection's only handler: it reads
/// frames with `WebSocketFrameReader` and writes them as bytes (`ClientFrame`), without NIO's
/// frame decoder and encoder (two pipeline stages and a `WebSocketFrame` per frame, on the
/// generator's share of the same two cores as the server). It authenticates like any client (`hello` → `auth` →
/// `welcome`), then sends pre-rendered `signal` frames and hands the payload of every `signal`
/// it receives to `onSignal`.
final class BenchConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let credential: DeviceIdentityCredential
    private let codec = SignalingCodec()
    private let authenticatedPromise: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    /// The server's frames (not masked).
    private var reader = WebSocketFrameReader(maxMessageBytes: 1 << 17, requireMasking: false)
    private var authenticated = false
    private var flushScheduled = false
    /// Masking keys from a fast generator: `WebSocketMaskingKey.random()` asks the kernel for
    /// every frame, a syscall per message the server under test does not pay.
    private var maskKeys: SeededRandom
    /// Called with the payload (a decimal send time) of each relayed `signal` (set by the load phase).
    var onSignal: ((UInt64) -> Void)?
    /// The close code the server sent, if it closed this connection.
    private(set) var closeCode: UInt16?
    /// Frames other than `signal` received after authentication (`error` frames, e.g. `device-offline`).
    private(set) var errorFrames = 0

    /// Succeeds on `welcome`; fails on a refusal or a closed connection.
    var authenticatedFuture: EventLoopFuture<Void> { authenticatedPromise.futureResult }

    init(identity: DeviceIdentity, eventLoop: any EventLoop) {
        self.credential = DeviceIdentityCredential(identity)
        self.authenticatedPromise = eventLoop.makePromise()
        self.maskKeys = SeededRandom(seed: UInt64.random(in: 0...UInt64.max))
    }

    /// Opens a WebSocket to `ws://host:port/ws` on `eventLoop` and runs a `BenchConnection` on it.
    static func connect(host: String, port: Int, identity: DeviceIdentity,
                        group: any EventLoopGroup) async throws -> NIOLoopBound<BenchConnection> {
        let upgraded: EventLoopFuture<NIOLoopBound<BenchConnection>> = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = BenchWebSocketUpgrader<NIOLoopBound<BenchConnection>>(
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                let handler = BenchConnection(identity: identity, eventLoop: channel.eventLoop)
                                try channel.pipeline.syncOperations.addHandler(handler)
                                return NIOLoopBound(handler, eventLoop: channel.eventLoop)
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(host):\(port)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: SignalingProtocol.webSocketPath, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeFailedFuture(BenchError.notUpgraded)
                        })
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        let connection = try await upgraded.get()
        try await connection.eventLoop.flatSubmit { connection.value.authenticatedFuture }.get()
        return connection
    }

    /// Queues a text frame (masked, as a client must); flushed once at the end of the tick.
    func send(_ text: String) {
        guard let context else { return }
        var buffer = ClientFrame.payloadBuffer(context.channel.allocator, capacity: text.utf8.count)
        buffer.writeString(text)
        write(buffer)
    }

    /// Queues `prefix` followed by `stamp` in decimal and `"}`: a `signal` frame whose payload
    /// is the send time, written without building a `String`.
    /// With `flushLater` the frame is only queued: the caller flushes (`flush()`) once it has
    /// queued this tick's frames, so no flush task per connection is scheduled.
    func sendSignal(prefix: [UInt8], stamp: UInt64, flushLater: Bool = false) {
        guard let context else { return }
        var buffer = ClientFrame.payloadBuffer(context.channel.allocator, capacity: prefix.count + 24)
        buffer.writeBytes(prefix)
        buffer.writeString(String(stamp))  // ≤ 15 digits: a small string, no allocation
        buffer.writeStaticString("\"}")
        write(buffer, flushLater: flushLater)
    }

    /// Sends what `sendSignal(…, flushLater: true)` queued.
    func flush() {
        context?.flush()
    }

    /// Queues a text frame whose payload is in `buffer` (a `ClientFrame.payloadBuffer`).
    private func write(_ buffer: ByteBuffer, flushLater: Bool = false) {
        guard let context else { return }
        var buffer = buffer
        ClientFrame.seal(&buffer, opcode: ClientFrame.text, key: .random(using: &maskKeys))
        context.write(wrapOutboundOut(buffer), promise: nil)
        guard !flushLater, !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    /// Closes the connection.
    func close() {
        context?.close(promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        authenticatedPromise.fail(BenchError.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        authenticatedPromise.fail(error)
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.append(unwrapInboundIn(data))
        do {
            while let message = try reader.next(allocator: context.channel.allocator) {
                receive(message, context: context)
            }
        } catch {
            authenticatedPromise.fail(error)
            context.close(promise: nil)
        }
    }

    private func receive(_ message: WebSocketFrameReader.Message, context: ChannelHandlerContext) {
        switch message {
        case .text(let data):
            if authenticated {
                if let stamp = Self.signalStamp(data) {
                    onSignal?(stamp)
                } else {
                    errorFrames += 1
                }
                return
            }
            handshake(String(buffer: data))
        case .ping(let data):
            var pong = ClientFrame.payloadBuffer(context.channel.allocator, capacity: data.readableBytes)
            pong.writeImmutableBuffer(data)
            ClientFrame.seal(&pong, opcode: ClientFrame.pong, key: .random(using: &maskKeys))
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .close(var data):
            closeCode = data.readInteger(as: UInt16.self)
            context.close(promise: nil)
        case .binary, .pong:
            break
        }
    }

    private func handshake(_ text: String) {
        switch try? codec.decodeServerMessage(text) {
        case .hello(_, let nonce, let server):
            do {
                send(codec.encode(ClientMessage.auth(try credential.proof(nonce: nonce, serverIdentity: server))))
            } catch {
                authenticatedPromise.fail(error)
            }
        case .welcome:
            authenticated = true
            authenticatedPromise.succeed()
        default:
            authenticatedPromise.fail(BenchError.refused(String(text.prefix(200))))
        }
    }

    /// The payload of a `{"type":"signal","from":"…","payload":"<digits>"}` frame as the server
    /// writes it, read from the end of the frame; nil for any other frame.
    static func signalStamp(_ buffer: ByteBuffer) -> UInt64? {
        buffer.withUnsafeReadableBytes { bytes -> UInt64? in
            let signal = #"{"type":"signal""#.utf8
            guard bytes.count > 40, bytes.starts(with: signal),
                  bytes[bytes.count - 1] == UInt8(ascii: "}"), bytes[bytes.count - 2] == UInt8(ascii: "\"") else { return nil }
            var index = bytes.count - 3
            var value: UInt64 = 0
            var scale: UInt64 = 1
            while index > 0, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value &+= UInt64(bytes[index] - UInt8(ascii: "0")) &* scale
                scale &*= 10
                index -= 1
            }
            guard bytes[index] == UInt8(ascii: "\""), index < bytes.count - 3 else { return nil }
            return value
        }
    }
}

/// Why a bench connection failed.
enum BenchError: Error {
    case notUpgraded
    case closed
    case refused(String)
}
