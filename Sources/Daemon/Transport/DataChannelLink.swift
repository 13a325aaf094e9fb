import DataChannel
import PeerConnection
import RTCDriver
import SyncProtocol

/// A ``PeerLink`` over one WebRTC data channel (label `sync/<folder>`, reliable and ordered).
///
/// Sync frames can be up to 8 MiB while a data channel message is at most the peer's
/// `max-message-size`, so a frame above ``messageBytes`` (the peer's limit, up to
/// ``wholeFrameMessageBytes``) is sent as pieces and the receiver joins them again by the
/// frames' length prefixes (``FrameAssembler``); every chunk response to a daemon that
/// advertises ``advertisedMaxMessageSize`` goes whole, so the receiver copies none of them
/// through the assembler. `send` is the driver's backpressured send: below the channel's
/// high-water mark it hands the frames to the event loop and returns without waiting for it;
/// above, it suspends until `bufferedamountlow`, so a folder never buffers much more than that
/// mark per peer.
final class DataChannelLink: BatchSendingPeerLink, BatchReceivingPeerLink {
    /// The authenticated device at the other end (its DTLS certificate matched its ID).
    let peerDeviceID: String
    /// Whole sync frames from the peer, in order.
    let incoming: AsyncStream<[UInt8]>
    /// Whole sync frames from the peer, in order, all that wait at once (up to ``MessageQueue/batchBytes``).
    let incomingBatches: AsyncStream<[[UInt8]]>
    /// The channel.
    let handle: DataChannelHandle
    /// Largest message sent on this link (``messageBytes(peerMaxMessageSize:)``).
    let messageBytes: Int
    private let driver: RTCDriver

    /// Largest data channel message sent to a peer that takes only the W3C default of
    /// 256 KiB (or does not say): a 64 KiB chunk (the chunker's average) plus room for its
    /// frame's header goes as one message; larger frames are cut to this size.
    static let maxMessageBytes = (64 + 4) << 10
    /// Largest message sent to a peer that takes more: a frame carrying the largest chunk
    /// (``FrameLimits/maxChunkBytes``) and its header goes as one message.
    static let wholeFrameMessageBytes = FrameLimits.maxChunkBytes + (64 << 10)
    /// The `max-message-size` the daemon advertises (its connections' configuration), so
    /// another daemon sends it whole frames.
    static let advertisedMaxMessageSize = wholeFrameMessageBytes
    /// Bytes of messages handed to the driver in one call.
    static let runBytes = 256 << 10
    /// Received bytes not yet taken by the engine above which the connection stops receiving:
    /// two maximal frames, so a whole frame can always be assembled while one waits.
    static let receiveBacklogLimit = 2 * FrameLimits.maxFrameBytes

    /// Wraps `handle`; `batches` is the channel's batch stream (``RTCDriver/messageBatches(_:)``,
    /// taken once from the driver), with receive flow control on (``receiveBacklogLimit``):
    /// each frame's bytes are reported consumed when the engine takes it, so a peer that sends
    /// faster than the folder can handle is held back by SCTP's receive window instead of
    /// filling this process's memory. A batch of frames is reported consumed at once (one hop
    /// onto the event loop per batch). `peerMaxMessageSize` is the peer's `max-message-size`
    /// (``RTCDriver`` `maxMessageSize`).
    init(peerDeviceID: String, driver: RTCDriver, handle: DataChannelHandle, batches: AsyncStream<[DataChannelMessage]>,
         peerMaxMessageSize: Int) {
        self.peerDeviceID = peerDeviceID
        self.driver = driver
        self.handle = handle
        self.messageBytes = Self.messageBytes(peerMaxMessageSize: peerMaxMessageSize)
        let reader = Reader(batches: batches, driver: driver, handle: handle)
        incoming = AsyncStream(unfolding: {
            guard let frame = await reader.next(limitBytes: 0)?.first else { return nil }
            driver.consumed(frame.count, on: handle)
            return frame
        })
        incomingBatches = AsyncStream(unfolding: {
            guard let batch = await reader.next(limitBytes: MessageQueue.batchBytes) else { return nil }
            driver.consumed(batch.reduce(0) { $0 + $1.count }, on: handle)
            return batch
        })
    }

    /// The largest message to send to a peer whose `max-message-size` is `peerMaxMessageSize`:
    /// ``maxMessageBytes`` for the W3C default (256 KiB) or less, up to
    /// ``wholeFrameMessageBytes`` when it takes more.
    static func messageBytes(peerMaxMessageSize: Int) -> Int {
        guard peerMaxMessageSize > 256 << 10 else { return min(maxMessageBytes, max(1024, peerMaxMessageSize)) }
        return min(peerMaxMessageSize, wholeFrameMessageBytes)
    }

    /// `data` when it is exactly one frame (its length prefix covers the rest of it, within
    /// ``FrameLimits/maxFrameBytes``), nil otherwise.
    static func wholeFrame(_ data: [UInt8]) -> [UInt8]? {
        FrameAssembler.isWholeFrame(data) ? data : nil
    }

    /// Sends one frame, in pieces, suspending while the channel is above its high-water mark.
    func send(_ message: [UInt8]) async throws {
        try await send(batch: [message])
    }

    /// Sends frames in order. Each frame becomes one message, or (above ``maxMessageBytes``)
    /// pieces of equal size that are slices of it (no copies); messages go to the driver in
    /// runs of about ``runBytes`` (one hop onto the event loop, shared SCTP packets and one
    /// flush per run), each run held back while the channel is above the high-water mark, so
    /// a batch never puts more than one run above the mark.
    func send(batch frames: [[UInt8]]) async throws {
        var run: [ArraySlice<UInt8>] = []
        var runBytes = 0
        for frame in frames {
            for piece in Self.pieces(of: frame, maxBytes: messageBytes) {
                run.append(piece)
                runBytes += piece.count
                if runBytes >= Self.runBytes {
                    try await driver.send(pieces: run, on: handle)
                    run.removeAll(keepingCapacity: true)
                    runBytes = 0
                }
            }
        }
        if !run.isEmpty { try await driver.send(pieces: run, on: handle) }
    }

    /// `frame` as one message, or cut into the fewest pieces of equal size (within one byte)
    /// that are each at most `maxBytes`: a chunk response just over 64 KiB goes whole
    /// rather than as 64 KiB and a tail of a few bytes.
    static func pieces(of frame: [UInt8], maxBytes: Int = maxMessageBytes) -> [ArraySlice<UInt8>] {
        guard frame.count > maxBytes else { return [frame[...]] }
        let n = (frame.count + maxBytes - 1) / maxBytes
        var out: [ArraySlice<UInt8>] = []
        out.reserveCapacity(n)
        var start = 0
        for i in 0..<n {
            let end = frame.count * (i + 1) / n
            out.append(frame[start..<end])
            start = end
        }
        return out
    }

    /// Closes the data channel (the peer sees it close; its link ends).
    func close() async {
        try? await driver.closeDataChannel(handle)
        await driver.endMessages(handle)
    }
}
