import Logging
import NIOCore
import NIOWebSocket
import Signaling

/// One rendezvous WebSocket, driven entirely on its channel's event loop: complete text frames
/// are decoded here and handed to the hub driver synchronously; what the hub sends back to any
/// connection is written to that connection's channel (directly on the same event loop, by one
/// `execute` on another) and flushed once per event-loop tick, not once per frame.
///
/// It also does the WebSocket housekeeping the async handler used to: answers pings, pings an
/// idle peer every `pingInterval` (closing with 1001 when a ping went unanswered), runs the
/// close handshake (the hub's close code and reason, or 1001 on shutdown), and reports a
/// consumer that stays unwritable for more than `outboundQueueLimit` frames to the hub
/// (which closes it with 4007).
///
/// Not thread-safe: every method runs on the channel's event loop (`ConnectionOutlet` hops).
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// What every connection of a server shares.
    struct Settings: Sendable {
        let codec: SignalingCodec
        let outboundQueueLimit: Int
        let pingInterval: TimeAmount
        let logger: Logger
    }

    private let driver: RendezvousHubDriver
    private let source: String
    private let settings: Settings
    private var context: ChannelHandlerContext?
    private var id: ConnectionID?
    /// True once our close frame went out: nothing else is sent, inbound data is ignored.
    private var closeSent = false
    private var flushScheduled = false
    private var reportedGone = false
    /// Frames written while the channel was unwritable (reset when it drains).
    private var framesWhileUnwritable = 0
    private var pingOutstanding = false
    private var forwarder = SignalForwarder()
    private var outbox: LoopOutbox?

    init(driver: RendezvousHubDriver, source: String, settings: Settings) {
        self.driver = driver
        self.source = source
        self.settings = settings
    }

    // MARK: Pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let outbox = driver.outboxes.outbox(for: context.eventLoop)
        self.outbox = outbox
        let outlet = ConnectionOutlet(handler: NIOLoopBound(self, eventLoop: context.eventLoop), outbox: outbox)
        id = driver.open(source: source, outlet: outlet)
        schedulePing()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        reportGone()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        reportGone()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { framesWhileUnwritable = 0 }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settings.logger.debug("websocket error", metadata: ["error": "\(error)"])
        switch error as? NIOWebSocketFrameAggregator.Error {
        case .accumulatedFrameSizeIsTooLarge?:
            // A fragmented message over the limit: 1009, like a single frame over it.
            sendClose(code: .messageTooLarge, reason: SignalingCloseCode.messageTooLarge.reason)
        case .some:
            sendClose(code: .protocolError, reason: "bad-fragmentation")
        case nil:
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            guard !closeSent, let id else { return }
            var data = SignalForwarder.unmaskedPayload(of: frame, allocator: context.channel.allocator)
            let codec = settings.codec
            if let (target, layout) = forwarder.plan(data, codec: codec) {
                switch driver.relaySignal(to: target, from: id) {
                case .deliver(let outlet, let device):
                    forwarder.rewrite(&data, layout: layout, from: device, allocator: context.channel.allocator)
                    outlet.deliver(.encoded(data))
                    return
                case .handled:
                    return
                case .general:
                    break
                }
            }
            let text = String(buffer: data)
            driver.receive(Result { () throws(SignalingParseError) in try codec.decodeClientMessage(text) }, from: id)
        case .binary:
            guard !closeSent, let id else { return }
            driver.receive(.failure(.malformedJSON("binary frames are not part of the protocol")), from: id)
        case .ping:
            guard !closeSent else { return }
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
            scheduleFlush()
        case .pong:
            pingOutstanding = false
        case .connectionClose:
            // The peer's close: answer with its code (if we have not sent ours), then hang up.
            if !closeSent {
                closeSent = true
                var data = frame.unmaskedData
                let code = data.readWebSocketErrorCode() ?? .normalClosure
                var reply = context.channel.allocator.buffer(capacity: 2)
                reply.write(webSocketErrorCode: code)
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)), promise: nil)
            }
            context.close(promise: nil)
        default:
            break
        }
    }

    // MARK: Output (from the hub driver, via ConnectionOutlet)

    /// Writes what the hub sends this connection; the flush follows at the end of the tick.
    func deliver(_ frame: OutboundFrame) {
        guard let context, !closeSent else { return }
        switch frame {
        case .message(let message):
            guard admitOutbound() else { return }
            let text = settings.codec.encode(message)
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
            scheduleFlush()
        case .encoded(let buffer):
            guard admitOutbound() else { return }
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
            scheduleFlush()
        case .close(let code):
            sendClose(code: WebSocketErrorCode(codeNumber: Int(code.rawValue)), reason: code.reason)
        }
    }

    /// Graceful shutdown: close with 1001.
    func shutDown() {
        sendClose(code: .goingAway, reason: SignalingCloseCode.goingAway.reason)
    }

    // MARK: Helpers

    /// False when the consumer has been unwritable for more than `outboundQueueLimit` frames
    /// (the hub is told, and closes it): the frame is dropped.
    private func admitOutbound() -> Bool {
        guard let context, !context.channel.isWritable else { return true }
        framesWhileUnwritable += 1
        if framesWhileUnwritable > settings.outboundQueueLimit, let id {
            driver.slowConsumer(id)
            return false
        }
        return true
    }

    private func scheduleFlush() {
        guard !flushScheduled, context != nil, let outbox else { return }
        flushScheduled = true
        // The loop's outbox flushes after the event loop has handled this tick's reads: one
        // flush (one writev) for every frame queued to this connection meanwhile.
        outbox.scheduleFlush(self)
    }

    /// The flush scheduled by `scheduleFlush` (called by the outbox).
    func flushNow() {
        flushScheduled = false
        context?.flush()
    }

    /// Sends a close frame and hangs up when the peer answers, or after two seconds.
    private func sendClose(code: WebSocketErrorCode, reason: String) {
        guard let context, !closeSent else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(2)) {
            self.context?.close(promise: nil)
        }
    }

    private func schedulePing() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: settings.pingInterval) {
            self.ping()
        }
    }

    private func ping() {
        guard let context, !closeSent else { return }
        if pingOutstanding {
            sendClose(code: .goingAway, reason: "ping-timeout")
            return
        }
        pingOutstanding = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(string: "rendezvous"))),
                              promise: nil)
        schedulePing()
    }

    private func reportGone() {
        guard !reportedGone, let id else { return }
        reportedGone = true
        driver.disconnected(id)
    }
}

/// Where the hub driver sends a connection's frames: its handler, reached on its event loop.
struct ConnectionOutlet: Sendable {
    let handler: NIOLoopBound<RelayConnectionHandler>
    /// The outbox of the handler's event loop.
    let outbox: LoopOutbox

    /// Delivers on the handler's event loop: at once when already there, else through the
    /// loop's outbox (batched).
    func deliver(_ frame: OutboundFrame) {
        if handler.eventLoop.inEventLoop {
            handler.value.deliver(frame)
        } else {
            outbox.post(frame, to: handler)
        }
    }
}
