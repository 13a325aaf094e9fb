import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// Opens a client WebSocket (`ws://host:port/path` or `wss://…`) with SwiftNIO and runs a data
/// handler on it with swift-websocket's frame handling (masking, fragmentation, ping/pong, close).
///
/// `wss://` runs TLS through OpenSSL (`TLSHandler`, not NIOSSL, whose BoringSSL copy is slow to
/// build here) and verifies the server's certificate and name against the system CA store or a
/// pinned CA file (`TLSClientConfiguration`); a failed verification throws
/// `TLSError.certificateVerificationFailed`. (It mirrors `WSClient.WebSocketClientChannel`
/// without proxies.)
public enum WebSocketConnector {
    /// Why a connection could not be made.
    public enum ConnectError: Error, Equatable, Sendable {
        /// The URL is not `ws://host[:port]/path` or `wss://host[:port]/path`.
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

    /// The parts of a WebSocket URL.
    struct Endpoint: Equatable {
        var secure: Bool
        var host: String
        var port: Int
        var path: String
    }

    /// Connects, upgrades, runs `handler` until it returns or the socket closes; returns the
    /// peer's close frame if one came. `tls` applies to `wss://` URLs.
    @discardableResult
    public static func connect(url: String, maxFrameSize: Int, logger: Logger,
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                               tls: TLSClientConfiguration = TLSClientConfiguration(),
                               handler: @escaping WebSocketDataHandler<Context>) async throws -> WebSocketCloseFrame? {
        let endpoint = try parseEndpoint(url)
        let (host, port, path) = (endpoint.host, endpoint.port, endpoint.path)
        let tlsContext = endpoint.secure ? try TLSContext(client: tls) : nil
        let handshake = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let upgradeResult: EventLoopFuture<UpgradeResult> = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        let tlsHandler = try TLSHandler(context: tlsContext, serverName: tls.serverName ?? host,
                                                        eventLoop: channel.eventLoop)
                        handshake.withLockedValue { $0 = tlsHandler.handshakeCompleted }
                        try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                        maxFrameSize: maxFrameSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                            }
                        })
                    var headers = HTTPHeaders()
                    let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
                    headers.replaceOrAdd(name: "Host", value: authority)
                    headers.replaceOrAdd(name: "Origin", value: "\(endpoint.secure ? "https" : "http")://\(authority)")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let upgrade = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .notUpgraded } })
                    var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
                    configuration.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
                }
            }
        let result: UpgradeResult
        do {
            result = try await upgradeResult.get()
        } catch {
            // A failed TLS handshake closes the channel; report why instead of the closed channel.
            if let tlsHandshake = handshake.withLockedValue({ $0 }) {
                do { try await tlsHandshake.get() } catch let tlsError as TLSError { throw tlsError } catch {}
            }
            throw error
        }
        switch result {
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
        let endpoint = try parseEndpoint(url)
        return (endpoint.host, endpoint.port, endpoint.path)
    }

    /// Splits `ws[s]://host[:port][/path]` into its parts (IPv6 literals in brackets; default
    /// ports 80 and 443).
    static func parseEndpoint(_ url: String) throws(ConnectError) -> Endpoint {
        let secure: Bool
        if url.hasPrefix("ws://") {
            secure = false
        } else if url.hasPrefix("wss://") {
            secure = true
        } else {
            throw .invalidURL(url)
        }
        let rest = url.dropFirst(secure ? 6 : 5)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = Substring(authority)
        var port = secure ? 443 : 80
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
        return Endpoint(secure: secure, host: String(host), port: port, path: path.isEmpty ? "/" : String(path))
    }
}
