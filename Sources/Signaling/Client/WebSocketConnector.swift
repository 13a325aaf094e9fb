import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// Opens a client WebSocket (`ws://host:port/path`) with SwiftNIO and runs a data handler on
/// it with swift-websocket's frame handling (masking, fragmentation, ping/pong, close).
///
/// Plain TCP only: `wss://` needs NIOSSL, whose BoringSSL copy is too slow to build on this
/// project's machines; put a TLS-terminating proxy in front or add NIOSSL here later.
/// (It mirrors `WSClient.WebSocketClientChannel` without TLS and proxies.)
public enum WebSocketConnector {
    /// Why a connection could not be made.
    public enum ConnectError: Error, Equatable, Sendable {
        /// The URL is not `ws://host[:port]/path`.
        case invalidURL(String)
        /// The server answered the upgrade request without upgrading.
        case upgradeDeclined
    }

    /// The context handed to the data handler.
    public struct Context: WebSocketContext {
        public let logger: Logger
    }

    private enum UpgradeResult: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    /// Connects, upgrades, runs `handler` until it returns or the socket closes; returns the
    /// peer's close frame if one came.
    @discardableResult
    public static func connect(url: String, maxFrameSize: Int, logger: Logger,
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               handler: @escaping WebSocketDataHandler<Context>) async throws -> WebSocketCloseFrame? {
        let (host, port, path) = try parse(url)
        let upgradeResult: EventLoopFuture<UpgradeResult> = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                        maxFrameSize: maxFrameSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.replaceOrAdd(name: "Host", value: "\(host):\(port)")
                    headers.replaceOrAdd(name: "Origin", value: "http://\(host):\(port)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let upgrade = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .notUpgraded } })
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
                    configuration.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                }
            }
        switch try await upgradeResult.get() {
        case .websocket(let channel):
            return try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(extensions: [], autoPing: .disabled, validateUTF8: false, maxFrameSize: maxFrameSize),
                asyncChannel: channel, context: Context(logger: logger), handler: handler)
        case .notUpgraded:
            throw ConnectError.upgradeDeclined
        }
    }

    /// Splits `ws://host[:port][/path]` into its parts (IPv6 literals in brackets).
    static func parse(_ url: String) throws(ConnectError) -> (host: String, port: Int, path: String) {
        guard url.hasPrefix("ws://") else { throw .invalidURL(url) }
        let rest = url.dropFirst(5)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = Substring(authority)
        var port = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(url) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw .invalidURL(url) }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]) else { throw .invalidURL(url) }
            port = value
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { throw .invalidURL(url) }
        return (String(host), port, path.isEmpty ? "/" : String(path))
    }
}
