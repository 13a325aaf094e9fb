import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
import ServiceLifecycle
import Signaling

/// The server's child channel: HTTP/1 (routes through Hummingbird's responder) with a
/// WebSocket upgrade on `/ws` (`RelayWebSocketUpgrader`) whose connections are driven by
/// `RelayConnectionHandler` on their event loop — one pipeline stage, no task, stream or actor
/// hop per frame.
///
/// Modelled on HummingbirdWebSocket's `HTTP1WebSocketUpgradeChannel`, whose per-connection
/// async reader and writer tasks cost more than the relay itself.
struct RendezvousChildChannel: ServerChildChannel, HTTPChannelHandler {
    /// What the upgrade negotiation produced.
    enum UpgradeResult: Sendable {
        /// A WebSocket driven by its `RelayConnectionHandler`.
        case websocket(NIOLoopBound<RelayConnectionHandler>)
        /// Plain HTTP.
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        /// An upgrade was asked for and refused (wrong path or headers).
        case failedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
    }

    /// The negotiation's outcome and the channel.
    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    /// Hummingbird's router.
    let responder: HTTPChannelHandler.Responder
    let driver: RendezvousHubDriver
    let codec: SignalingCodec
    let outboundQueueLimit: Int
    /// Largest WebSocket frame (and reassembled message) accepted; beyond it the connection is
    /// closed with 1009.
    let maxFrameSize: Int
    let pingInterval: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let settings = RelayConnectionHandler.Settings(codec: codec, outboundQueueLimit: outboundQueueLimit,
                                                           pingInterval: pingInterval, maxMessageBytes: maxFrameSize,
                                                           logger: logger)
            let driver = self.driver
            let source = channel.remoteAddress?.ipAddress ?? "unknown"
            let upgrader = RelayWebSocketUpgrader<UpgradeResult>(
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init)
                    let headers: HTTPHeaders? = path == SignalingProtocol.webSocketPath ? HTTPHeaders() : nil
                    return channel.eventLoop.makeSucceededFuture(headers)
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        // The only handler of the upgraded connection: it reads and writes frames itself.
                        let handler = RelayConnectionHandler(driver: driver, source: source, settings: settings)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return .websocket(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
            )
            let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return upgradeAttempted.value ? .failedUpgrade(http) : .notUpgraded(http)
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: upgradeConfiguration)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .websocket(let handler):
                // The handler runs the connection; this task only waits for the end, and on
                // graceful shutdown asks the handler to close with 1001.
                let eventLoop = value.channel.eventLoop
                await withGracefulShutdownHandler {
                    try? await value.channel.closeFuture.get()
                } onGracefulShutdown: {
                    eventLoop.execute { handler.value.shutDown() }
                }
            case .notUpgraded(let http):
                await handleHTTP(asyncChannel: http, logger: logger)
            case .failedUpgrade(let http):
                try await http.executeThenClose { _, outbound in
                    let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                    try await outbound.write(contentsOf: [.head(head), .end(nil)])
                }
            }
        } catch {
            logger.debug("connection ended during the upgrade", metadata: ["error": "\(error)"])
        }
    }
}
