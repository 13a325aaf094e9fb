import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The bench's WebSocket upgrade: NIO's client handshake (request key, response checks), but the
/// upgraded pipeline gets only the `BenchConnection`, which reads and writes frames as bytes,
/// instead of NIO's frame decoder and encoder.
struct BenchWebSocketUpgrader<UpgradeResult: Sendable>: NIOTypedHTTPClientProtocolUpgrader {
    private let handshake: NIOTypedWebSocketClientUpgrader<UpgradeResult>
    private let upgradePipelineHandler: @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<UpgradeResult>

    var supportedProtocol: String { handshake.supportedProtocol }
    var requiredUpgradeHeaders: [String] { handshake.requiredUpgradeHeaders }

    init(upgradePipelineHandler: @escaping @Sendable (any Channel, HTTPResponseHead) -> EventLoopFuture<UpgradeResult>) {
        self.handshake = NIOTypedWebSocketClientUpgrader(upgradePipelineHandler: { channel, _ in
            channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        })
        self.upgradePipelineHandler = upgradePipelineHandler
    }

    func addCustom(upgradeRequestHeaders: inout HTTPHeaders) {
        handshake.addCustom(upgradeRequestHeaders: &upgradeRequestHeaders)
    }

    func shouldAllowUpgrade(upgradeResponse: HTTPResponseHead) -> Bool {
        handshake.shouldAllowUpgrade(upgradeResponse: upgradeResponse)
    }

    func upgrade(channel: any Channel, upgradeResponse: HTTPResponseHead) -> EventLoopFuture<UpgradeResult> {
        upgradePipelineHandler(channel, upgradeResponse)
    }
}
