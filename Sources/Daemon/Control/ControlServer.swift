#if canImport(Glibc)
import Glibc
#endif
import ControlAPI
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// The control API's HTTP/1.1 server on a Unix socket (mode 0600 in a 0700 directory; peers
/// of another uid are refused by SO_PEERCRED). It only plumbs bytes to ``ControlService``.
public struct ControlServer: Sendable {
    let socketPath: String
    let service: ControlService
    let logger: Logger
    let group: any EventLoopGroup

    /// A server for `service` on `socketPath`.
    public init(socketPath: String, service: ControlService, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.socketPath = socketPath; self.service = service; self.logger = logger; self.group = group
    }

    /// Binds the socket, then calls `ready`, then serves until cancelled; removes the socket on exit.
    public func run(ready: @Sendable () async -> Void = {}) async throws {
        let dir = (socketPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = socketPath
        let answered = try await NIOThreadPool.singleton.runIfActive {
            (try? ControlClient(socketPath: path).request("GET", "/identity", as: IdentityInfo.self)) != nil
        }
        if answered {
            throw DaemonError.conflict("another syncd already answers on \(socketPath)",
                                       hint: "stop it first (`systemctl --user stop syncd`), or give this one another --state-dir")
        }
        let ownUID = getuid()
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true) { channel in
                PeerCredentials.peerUID(of: channel).flatMapThrowing { uid in
                    guard uid == ownUID else { throw DaemonError.badRequest("control socket peer of uid \(uid.map(String.init) ?? "?") refused", hint: nil) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        chmod(socketPath, 0o600)
        defer { unlink(socketPath) }
        await ready()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var body: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let h): head = h; body = []
                    case .body(var buffer):
                        guard body.count + buffer.readableBytes <= 1 << 20 else { return }
                        body += buffer.readBytes(length: buffer.readableBytes) ?? []
                    case .end:
                        guard let h = head else { continue }
                        let keepGoing = try await respond(to: h, body: body, outbound: outbound)
                        if !keepGoing || !h.isKeepAlive { return }
                    }
                }
            }
        } catch {
            logger.debug("control connection ended: \(error)")
        }
    }

    private func respond(to head: HTTPRequestHead, body: [UInt8], outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        let response = await service.handle(method: head.method.rawValue, path: head.uri, body: body)
        switch response {
        case .json(let status, let bytes):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: "\(bytes.count)")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
            try await outbound.write(.end(nil))
            return true
        case .events(let stream):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/x-ndjson")
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // A first line at once, so clients know the stream is live.
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: Array(#"{"time":0,"type":"hello"}"#.utf8) + [0x0A]))))
            for await event in stream {
                let line = Array((try? encoder.encode(event)) ?? Data()) + [0x0A]
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: line))))
            }
            try await outbound.write(.end(nil))
            return false
        case .bytes(let contentType, let stream):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: contentType)
            headers.add(name: "Transfer-Encoding", value: "chunked")
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
            for await chunk in stream { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk)))) }
            try await outbound.write(.end(nil))
            return false
        }
    }
}
