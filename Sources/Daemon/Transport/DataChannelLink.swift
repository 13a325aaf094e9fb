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
final class DataChannelLink: BatchSendingPeerLink {
    /// The authenticated device at the other end (its DTLS certificate matched its ID).
    let peerDeviceID: String
    /// Whole sync frames from the peer, in order.
    let incoming: AsyncStream<[UInt8]>
    /// The channel.
    let handle: DataChannelHandle
    private let driver: RTCDriver
    private let forwarder: Task<Void, Never>
    private let queue: MessageQueue

    /// Largest data channel message sent.
    static let pieceBytes = 64 << 10
    /// Received bytes not yet taken by the engine above which the connection stops receiving:
    /// two maximal frames, so a whole frame can always be assembled while one waits.
    static let receiveBacklogLimit = 2 * FrameLimits.maxFrameBytes

    /// Wraps `handle`; `messages` is the channel's message stream (taken once from the driver),
    /// with receive flow control on (``receiveBacklogLimit``): each frame's bytes are reported
    /// consumed when the engine takes it, so a peer that sends faster than the folder can handle
    /// is held back by SCTP's receive window instead of filling this process's memory.
    init(peerDeviceID: String, driver: RTCDriver, handle: DataChannelHandle, messages: AsyncStream<DataChannelMessage>) {
        self.peerDeviceID = peerDeviceID
        self.driver = driver
        self.handle = handle
        let queue = MessageQueue(capacity: 4096)
        self.queue = queue
        incoming = AsyncStream(unfolding: {
            guard let frame = await queue.pop() else { return nil }
            driver.consumed(frame.count, on: handle)
            return frame
        })
        // Reassembles frames from pieces; a malformed length closes the link. The forwarder
        // ends with the channel's message stream (the channel or the connection closed).
        forwarder = Task {
            var assembler = FrameAssembler()
            loop: for await message in messages {
                assembler.append(message.data)
                do {
                    while let frame = try assembler.nextFrame() {
                        guard await queue.push(frame) else { break loop }
                    }
                } catch {
                    try? await driver.closeDataChannel(handle)
                    break loop
                }
            }
            await queue.close()
        }
    }

    /// Sends one frame, in pieces, suspending while the channel is above its high-water mark.
    func send(_ message: [UInt8]) async throws {
        if message.count <= Self.pieceBytes {
            try await driver.send(message, on: handle)
            return
        }
        var offset = 0
        while offset < message.count {
            let end = min(offset + Self.pieceBytes, message.count)
            try await driver.send(Array(message[offset..<end]), on: handle)
            offset = end
        }
    }

    /// Sends frames in order: each run of frames of at most ``pieceBytes`` goes to the driver
    /// in one call (they share SCTP packets and one flush); a larger frame goes piece by piece
    /// as in ``send(_:)``, each piece waiting for the high-water mark, so a batch never puts
    /// more than one piece above the mark.
    func send(batch frames: [[UInt8]]) async throws {
        var run: [[UInt8]] = []
        for frame in frames {
            if frame.count <= Self.pieceBytes {
                run.append(frame)
                continue
            }
            if !run.isEmpty { try await driver.send(batch: run, on: handle) }
            run.removeAll()
            try await send(frame)
        }
        if !run.isEmpty { try await driver.send(batch: run, on: handle) }
    }

    /// Closes the data channel (the peer sees it close; its link ends).
    func close() async {
        try? await driver.closeDataChannel(handle)
        forwarder.cancel()
        await queue.close()
    }
}
