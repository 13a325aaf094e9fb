import DataChannel
import PeerConnection
import RTCDriver
import SyncProtocol

/// A ``PeerLink`` over one WebRTC data channel (label `sync/<folder>`, reliable and ordered).
///
/// Sync frames can be up to 8 MiB while a data channel message is at most the peer's
/// `max-message-size` (256 KiB here), so each frame is sent as pieces of at most
/// ``maxMessageBytes`` and the receiver joins them again by the frames' length prefixes
/// (``FrameAssembler``). `send` is the driver's backpressured send: below the channel's
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
    private let driver: RTCDriver
    private let forwarder: Task<Void, Never>
    private let queue: MessageQueue

    /// Largest data channel message sent: a 64 KiB chunk (the chunker's average) plus room for
    /// its frame's header goes as one message; larger frames are cut to this size, well under
    /// the peer's `max-message-size` (256 KiB).
    static let maxMessageBytes = (64 + 4) << 10
    /// Bytes of messages handed to the driver in one call.
    static let runBytes = 256 << 10
    /// Received bytes not yet taken by the engine above which the connection stops receiving:
    /// two maximal frames, so a whole frame can always be assembled while one waits.
    static let receiveBacklogLimit = 2 * FrameLimits.maxFrameBytes

    /// Wraps `handle`; `messages` is the channel's message stream (taken once from the driver),
    /// with receive flow control on (``receiveBacklogLimit``): each frame's bytes are reported
    /// consumed when the engine takes it, so a peer that sends faster than the folder can handle
    /// is held back by SCTP's receive window instead of filling this process's memory. A batch
    /// of frames is reported consumed at once (one hop onto the event loop per batch).
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
        incomingBatches = AsyncStream(unfolding: {
            guard let batch = await queue.next(limitBytes: MessageQueue.batchBytes) else { return nil }
            driver.consumed(batch.reduce(0) { $0 + $1.count }, on: handle)
            return batch
        })
        // Reassembles frames from pieces; a malformed length closes the link. The forwarder
        // ends with the channel's message stream (the channel or the connection closed).
        forwarder = Task {
            var assembler = FrameAssembler()
            loop: for await message in messages {
                // A message that is exactly one whole frame (most are: frames up to
                // `maxMessageBytes` are sent whole) is passed on as it is, not copied through
                // the assembler twice.
                if assembler.bufferedBytes == 0, let whole = Self.wholeFrame(message.data) {
                    guard await queue.push(whole) else { break loop }
                    continue
                }
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
            queue.close()
        }
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
            for piece in Self.pieces(of: frame) {
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
    /// that are each at most ``maxMessageBytes``: a chunk response just over 64 KiB goes whole
    /// rather than as 64 KiB and a tail of a few bytes.
    static func pieces(of frame: [UInt8]) -> [ArraySlice<UInt8>] {
        guard frame.count > maxMessageBytes else { return [frame[...]] }
        let n = (frame.count + maxMessageBytes - 1) / maxMessageBytes
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
        forwarder.cancel()
        queue.close()
    }
}
