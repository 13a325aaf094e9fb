import DTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Signaling

/// One load-generator WebSocket client, driven on its event loop with no task per frame (the
/// full `SignalingClient`, an actor with streams, costs more per message than the server does,
/// so it cannot measure the server). It authenticates like any client (`hello` → `auth` →
/// `welcome`), then sends pre-rendered `signal` frames and hands the payload of every `signal`
/// it receives to `onSignal`.
final class BenchConnection: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let credential: DeviceIdentityCredential
    private let codec = SignalingCodec()
    private let authenticatedPromise: EventLoopPromise<Void>
    private var context: ChannelHandlerContext?
    private var authenticated = false
    private var flushScheduled = false
    /// Called with the payload of each relayed `signal` (set by the load phase).
    var onSignal: ((Substring) -> Void)?
    /// The close code the server sent, if it closed this connection.
    private(set) var closeCode: UInt16?
    /// `error` frames received after authentication (e.g. `device-offline`).
    private(set) var errorFrames = 0

    /// Succeeds on `welcome`; fails on a refusal or a closed connection.
    var authenticatedFuture: EventLoopFuture<Void> { authenticatedPromise.futureResult }

    init(identity: DeviceIdentity, eventLoop: any EventLoop) {
        self.credential = DeviceIdentityCredential(identity)
        self.authenticatedPromise = eventLoop.makePromise()
    }

    /// Opens a WebSocket to `ws://host:port/ws` on `eventLoop` and runs a `BenchConnection` on it.
    static func connect(host: String, port: Int, identity: DeviceIdentity,
                        group: any EventLoopGroup) async throws -> NIOLoopBound<BenchConnection> {
        let upgraded: EventLoopFuture<NIOLoopBound<BenchConnection>> = try await ClientBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<NIOLoopBound<BenchConnection>>(
                        maxFrameSize: 1 << 17,
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
        var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: buffer)), promise: nil)
        guard !flushScheduled else { return }
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
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let text = String(buffer: frame.unmaskedData)
            if authenticated {
                if let payload = Self.signalPayload(text) {
                    onSignal?(payload)
                } else if text.hasPrefix(#"{"type":"error""#) || text.contains(#""type":"error""#) {
                    errorFrames += 1
                }
                return
            }
            handshake(text)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(),
                                                                 data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            var data = frame.unmaskedData
            closeCode = data.readInteger(as: UInt16.self)
            context.close(promise: nil)
        default:
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

    /// The payload of a `{"type":"signal","from":"…","payload":"…"}` frame as the server writes
    /// it (the bench's payloads are decimal digits, never escaped); nil for anything else.
    static func signalPayload(_ text: String) -> Substring? {
        let marker = #","payload":""#
        guard text.hasPrefix(#"{"type":"signal""#), let range = text.range(of: marker),
              text.hasSuffix("\"}") else { return nil }
        return text[range.upperBound..<text.index(text.endIndex, offsetBy: -2)]
    }
}

/// Why a bench connection failed.
enum BenchError: Error {
    case notUpgraded
    case closed
    case refused(String)
}
