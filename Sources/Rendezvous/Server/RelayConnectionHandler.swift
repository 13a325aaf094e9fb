import Logging
import NIOCore
import NIOWebSocket
import Signaling

/// One rendezvous WebSocket, driven entirely on its channel's event loop: the connection's bytes
/// are read into messages here (`WebSocketFrameReader`: framing, unmasking, fragments, limits),
/// frames are written as bytes (`WebSocketFrameWriter`), and complete text messages are
/// decoded and handed to the hub driver synchronously; what the hub sends back to any
/// connection is written to that connection's channel (directly on the same event loop, by one
/// `execute` on another) and flushed once per event-loop tick, not once per frame.
///
/// It also does the WebSocket housekeeping: answers pings, closes with 1002 or 1009 on a
/// framing fault, pings an
/// idle peer every `pingInterval` (closing with 1001 when a ping went unanswered), runs the
/// close handshake (the hub's close code and reason, or 1001 on shutdown), and reports a
/// consumer that stays unwritable for more than `outboundQueueLimit` frames to the hub
/// (which closes it with 4007).
///
/// Not thread-safe: every method runs on the channel's event loop (`ConnectionOutlet` hops).
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What every connection of a server shares.
    struct Settings: Sendable {
        let codec: SignalingCodec
        let outboundQueueLimit: Int
        let pingInterval: TimeAmount
        /// Largest message (one frame or reassembled fragments); beyond it the connection is closed with 1009.
        let maxMessageBytes: Int
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
    /// The peer's frames: payloads come unmasked with room in front for the forwarder.
    private var reader: WebSocketFrameReader
    private var outbox: LoopOutbox?

    init(driver: RendezvousHubDriver, source: String, settings: Settings) {
        self.driver = driver
        self.source = source
        self.settings = settings
        self.reader = WebSocketFrameReader(maxMessageBytes: settings.maxMessageBytes, headroom: SignalForwarder.headroom)
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
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reader.append(unwrapInboundIn(data))
        do {
            while let message = try reader.next(allocator: context.channel.allocator) {
                receive(message, context: context)
            }
        } catch {
            fail(error)
        }
    }

    /// Handles one message or control frame from the peer.
    private func receive(_ message: WebSocketFrameReader.Message, context: ChannelHandlerContext) {
        switch message {
        case .text(var data):
            guard !closeSent, let id else { return }
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
        case .ping(var data):
            guard !closeSent else { return }
            WebSocketFrameWriter.frame(&data, opcode: WebSocketFrameWriter.pong, allocator: context.channel.allocator)
            context.write(wrapOutboundOut(data), promise: nil)
            scheduleFlush()
        case .pong:
            pingOutstanding = false
        case .close(var data):
            // The peer's close: answer with its code (if we have not sent ours), then hang up.
            if !closeSent {
                closeSent = true
                let code = data.readWebSocketErrorCode() ?? .normalClosure
                var reply = WebSocketFrameWriter.payloadBuffer(context.channel.allocator, capacity: 2)
                reply.write(webSocketErrorCode: code)
                WebSocketFrameWriter.frame(&reply, opcode: WebSocketFrameWriter.close, allocator: context.channel.allocator)
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            }
            context.close(promise: nil)
        }
    }

    /// The peer broke the framing (RFC 6455 §7.1.7): send a close frame with the fault's code
    /// (1002 or 1009) and hang up once it is written.
    private func fail(_ error: WebSocketFrameParseError) {
        settings.logger.debug("websocket framing fault", metadata: ["error": "\(error)"])
        guard let context else { return }
        guard !closeSent else {
            context.close(promise: nil)
            return
        }
        closeSent = true
        let frame = closeFrame(code: WebSocketErrorCode(codeNumber: Int(error.closeCode)), reason: error.reason)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            self.context?.close(promise: nil)
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
            var buffer = WebSocketFrameWriter.payloadBuffer(context.channel.allocator, capacity: text.utf8.count)
            buffer.writeString(text)
            WebSocketFrameWriter.frame(&buffer, opcode: WebSocketFrameWriter.text, allocator: context.channel.allocator)
            context.write(wrapOutboundOut(buffer), promise: nil)
            scheduleFlush()
        case .encoded(var buffer):
            guard admitOutbound() else { return }
            WebSocketFrameWriter.frame(&buffer, opcode: WebSocketFrameWriter.text, allocator: context.channel.allocator)
            context.write(wrapOutboundOut(buffer), promise: nil)
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
        context.writeAndFlush(wrapOutboundOut(closeFrame(code: code, reason: reason)), promise: nil)
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
        var ping = WebSocketFrameWriter.payloadBuffer(context.channel.allocator, capacity: 10)
        ping.writeStaticString("rendezvous")
        WebSocketFrameWriter.frame(&ping, opcode: WebSocketFrameWriter.ping, allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
        schedulePing()
    }

    /// A close frame with `code` and `reason` (cut to the 123 bytes a close frame has room for).
    private func closeFrame(code: WebSocketErrorCode, reason: String) -> ByteBuffer {
        let allocator = context?.channel.allocator ?? ByteBufferAllocator()
        let reasonBytes = reason.utf8.prefix(123)
        var data = WebSocketFrameWriter.payloadBuffer(allocator, capacity: 2 + reasonBytes.count)
        data.write(webSocketErrorCode: code)
        data.writeBytes(reasonBytes)
        WebSocketFrameWriter.frame(&data, opcode: WebSocketFrameWriter.close, allocator: allocator)
        return data
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
