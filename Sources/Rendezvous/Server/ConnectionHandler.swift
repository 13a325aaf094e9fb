import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Signaling

/// Plumbs one WebSocket to the hub driver: a reader task decodes frames (off the hub's
/// executor) and hands them to the driver; a writer task encodes what the hub sends back
/// and closes the socket with the hub's close code.
struct ConnectionHandler: Sendable {
    let driver: RendezvousHubDriver
    let codec: SignalingCodec
    let outboundQueueLimit: Int

    func run(source: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let (stream, continuation) = AsyncStream<OutboundFrame>.makeStream(bufferingPolicy: .bufferingOldest(outboundQueueLimit))
        let id = await driver.open(source: source, outlet: continuation)
        let codec = self.codec
        let driver = self.driver
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var closeCode = SignalingCloseCode.slowConsumer
                var closedByHub = false
                for await frame in stream {
                    switch frame {
                    case .message(let message):
                        do { try await outbound.write(.text(codec.encode(message))) } catch { return }
                    case .close(let code):
                        closeCode = code
                        closedByHub = true
                    }
                    if closedByHub { break }
                }
                if Task.isCancelled && !closedByHub { return }
                try? await outbound.close(WebSocketErrorCode(codeNumber: Int(closeCode.rawValue)), reason: closeCode.reason)
            }
            group.addTask {
                do {
                    var iterator = inbound.messages(maxSize: codec.maxFrameBytes * 2).makeAsyncIterator()
                    while let message = try await iterator.next() {
                        switch message {
                        case .text(let text):
                            let parsed = Result { () throws(SignalingParseError) -> ClientMessage in try codec.decodeClientMessage(text) }
                            await driver.receive(parsed, from: id)
                        case .binary:
                            await driver.receive(.failure(.malformedJSON("binary frames are not part of the protocol")), from: id)
                        }
                    }
                } catch {
                    logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                }
            }
            await group.next()
            group.cancelAll()
        }
        await driver.disconnected(id)
    }
}
