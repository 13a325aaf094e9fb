import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// An optional Prometheus endpoint, `GET /metrics` on 127.0.0.1 only, in the text exposition format.
public struct MetricsServer: Sendable {
    let port: Int
    let daemon: SyncDaemon
    let logger: Logger

    /// A server on `127.0.0.1:port` reporting `daemon`.
    public init(port: Int, daemon: SyncDaemon, logger: Logger) { self.port = port; self.daemon = daemon; self.logger = logger }

    /// Binds, calls `bound` with the actual port (when `port` is 0, the kernel picks one), and serves until cancelled.
    public func run(bound: @Sendable (Int) async -> Void = { _ in }) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        await bound(server.channel.localAddress?.port ?? port)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { try? await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .head(let head) = part else { continue }
                let found = head.uri == "/metrics"
                let body = found ? await daemon.metricsText() : "not found: try /metrics\n"
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/plain; version=0.0.4")
                headers.add(name: "Content-Length", value: "\(body.utf8.count)")
                headers.add(name: "Connection", value: "close")
                try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers)))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
                try await outbound.write(.end(nil))
                return
            }
        }
    }
}

extension SyncDaemon {
    /// The metrics in Prometheus text format.
    public func metricsText() async -> String {
        let s = await status()
        var out = ""
        func metric(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += "\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(v)\n" }
        }
        func label(_ k: String, _ v: String) -> String { "\(k)=\"\(v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
        metric("peersync_folder_local_files", "Files present locally.", "gauge", s.folders.map { (label("folder", $0.id), Double($0.localFiles)) })
        metric("peersync_folder_local_bytes", "Bytes present locally.", "gauge", s.folders.map { (label("folder", $0.id), Double($0.localBytes)) })
        metric("peersync_folder_need_files", "Files this device still needs.", "gauge", s.folders.map { (label("folder", $0.id), Double($0.needFiles)) })
        metric("peersync_folder_need_bytes", "Bytes this device still needs.", "gauge", s.folders.map { (label("folder", $0.id), Double($0.needBytes)) })
        metric("peersync_device_connected", "1 when the device is connected.", "gauge", s.devices.map { (label("device", $0.id), $0.connected ? 1 : 0) })
        metric("peersync_device_received_bytes_total", "Sync bytes received from the device.", "counter", s.devices.map { (label("device", $0.id), Double($0.bytesIn)) })
        metric("peersync_device_sent_bytes_total", "Sync bytes sent to the device.", "counter", s.devices.map { (label("device", $0.id), Double($0.bytesOut)) })
        return out
    }
}
