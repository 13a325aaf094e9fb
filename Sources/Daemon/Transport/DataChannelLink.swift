import DataChannel
import PeerConnection
import RTCDriver
import SyncProtocol

/// A ``PeerLink`` over one WebRTC data channel (label `sync/<folder>`, reliable and ordered).
///
/// Sync frames can be up to 8 MiB while a data channel message is at most the peer's
/// `max-message-size` (256 KiB here), so each frame is sent as pieces of at most
/// ``pieceBytes`` and the receiver joins them again by the frames' length prefixes
/// (``FrameAssembler``). `send` awaits the driver's backpressured send: it suspends while the
/// channel's `bufferedAmount` is above its high-water mark and resumes on `bufferedamountlow`,
/// so a folder never buffers more than that mark per peer.
final class DataChannelLink: PeerLink {
    /// The authenticated device at the other end (its DTLS certificate matched its ID).
    let peerDeviceID: String
    /// Whole sync frames from the peer, in order.
    let incoming: AsyncStream<[UInt8]>
    /// The channel.
    let handle: DataChannelHandle
    private let driver: RTCDriver
    private let forwarder: Task<Void, Never>

    /// Largest data channel message sent.
    static let pieceBytes = 64 << 10
    /// Most bytes handed to the driver in one group (and most bytes of small frames that the
    /// folder runner joins into one `send`); the channel may exceed its high-water mark by this.
    static let batchBytes = 512 << 10

    /// Wraps `handle`; `messages` is the channel's message stream (taken once from the driver).
    init(peerDeviceID: String, driver: RTCDriver, handle: DataChannelHandle, messages: AsyncStream<DataChannelMessage>) {
        self.peerDeviceID = peerDeviceID
        self.driver = driver
        self.handle = handle
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        incoming = stream
        // Reassembles frames from pieces; a malformed length closes the link. The forwarder
        // ends with the channel's message stream (the channel or the connection closed).
        forwarder = Task {
            var assembler = FrameAssembler()
            loop: for await message in messages {
                assembler.append(message.data)
                do {
                    while let frame = try assembler.nextFrame() { continuation.yield(frame) }
                } catch {
                    try? await driver.closeDataChannel(handle)
                    break loop
                }
            }
            continuation.finish()
        }
    }

    /// Sends one frame, or several frames joined back to back (the receiver's
    /// ``FrameAssembler`` splits them by their length prefixes), in pieces of at most
    /// ``pieceBytes``. Pieces go to the driver in groups of up to ``batchBytes``: all but the last
    /// piece of a group in one event-loop hop, the last through the backpressured `send`, which
    /// suspends while the channel is above its high-water mark. One hop per piece made a busy
    /// machine's scheduling latency (not bandwidth or CPU) the limit of the transfer rate.
    func send(_ message: [UInt8]) async throws {
        if message.count <= Self.pieceBytes {
            try await driver.send(message, on: handle)
            return
        }
        let h = handle
        var offset = 0
        while offset < message.count {
            var group: [[UInt8]] = []
            var groupBytes = 0
            while offset < message.count && groupBytes < Self.batchBytes {
                let end = min(offset + Self.pieceBytes, message.count)
                group.append(Array(message[offset..<end]))
                groupBytes += end - offset
                offset = end
            }
            guard let last = group.popLast() else { break }
            if !group.isEmpty {
                let head = group
                try await driver.withConnection { pc in
                    for piece in head { try pc.send(piece, on: h) }
                }
            }
            try await driver.send(last, on: h)
        }
    }

    /// Closes the data channel (the peer sees it close; its link ends).
    func close() async {
        try? await driver.closeDataChannel(handle)
        forwarder.cancel()
    }
}
