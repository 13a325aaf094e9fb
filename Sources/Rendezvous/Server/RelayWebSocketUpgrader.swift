import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The WebSocket upgrade on `/ws`: the handshake (header checks and `Sec-WebSocket-Accept`) is
/// NIO's, but the upgraded pipeline holds one handler, `RelayConnectionHandler`, that reads and
/// writes frames as bytes itself (`WebSocketFrameReader`, `WebSocketFrameWriter`) — not NIO's
/// frame decoder, frame aggregator, frame encoder and protocol error handler, four more
/// pipeline stages per frame.
struct RelayWebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPServerProtocolUpgrader {
    /// Checks the request and builds the response headers.
    private let handshake: NIOTypedWebSocketServerUpgrader<UpgradeResult>
    /// Installs the connection's handler once the 101 response is written.
    private let upgradePipelineHandler: @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>

    var supportedProtocol: String { handshake.supportedProtocol }
    var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }

    /// `shouldUpgrade` returns the extra response headers, or nil to refuse the upgrade.
    init(shouldUpgrade: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<HTTPHeaders?>,
         upgradePipelineHandler: @escaping @Sendable (any Channel, HTTPRequestHead) -> EventLoopFuture<UpgradeResult>) {
        self.handshake = NIOTypedWebSocketServerUpgrader(
            shouldUpgrade: shouldUpgrade,
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
            })
        self.upgradePipelineHandler = upgradePipelineHandler
    }

    func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead,
                              initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        handshake.buildUpgradeResponse(channel: channel, upgradeRequest: upgradeRequest,
                                       initialResponseHeaders: initialResponseHeaders)
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<UpgradeResult> {
        upgradePipelineHandler(channel, upgradeRequest)
    }
}
