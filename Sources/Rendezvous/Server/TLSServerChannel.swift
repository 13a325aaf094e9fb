import HummingbirdCore
import Logging
import NIOCore
import Signaling

/// A Hummingbird child channel that runs TLS (OpenSSL, `TLSHandler`) below another child
/// channel, so the server speaks `https://` and `wss://` without NIOSSL.
struct TLSServerChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    /// The channel (HTTP/1 with WebSocket upgrade) that runs on the decrypted stream.
    let base: Base
    /// The server's certificate and key.
    let context: TLSContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = self.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
                TLSHandler(context: context, serverName: nil, eventLoop: channel.eventLoop))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
