import SyncFS
import SyncProtocol
import WireKit

/// One frame from a peer, decoded (and decompressed) and, when it carries chunk bytes, with their
/// SHA-256 already computed: the work a frame needs before the engine sees it, done by
/// ``FolderEngine/prepare(_:)`` on whatever thread received it, so a folder's serial path (the
/// engine and its file writes) only compares the digest and writes.
public struct ReceivedFrame: Sendable {
    /// The frame, or why its bytes are not a valid frame (the engine then closes the peer's stream).
    public let frame: Result<SyncFrame, SyncProtocolParseError>
    /// SHA-256 of the chunk bytes of an `ok` ``ChunkResponse``; nil for every other frame.
    public let chunkHash: ContentHash?
    /// Bytes the frame took on the wire.
    public let wireBytes: Int

    /// True for a chunk request (what ``FolderEngine/handle(requests:from:now:)`` takes).
    public var isRequest: Bool {
        if case .success(.request) = frame { return true }
        return false
    }
}

extension FolderEngine {
    /// Decodes `bytes` and hashes the chunk they carry, if any. Touches no engine state, so it
    /// may run on any thread, ahead of ``handle(_:from:now:)``.
    public static func prepare(_ bytes: [UInt8]) -> ReceivedFrame {
        do {
            let frame = try SyncFrame.decode(bytes)
            guard case .response(var r) = frame, r.status == .ok else { return ReceivedFrame(frame: .success(frame), chunkHash: nil, wireBytes: bytes.count) }
            // A raw chunk is a view of the message's buffer, kept until the chunk is written. A
            // buffer much larger than the chunk (SCTP reserves a message's buffer from the size
            // of the one before) would stay alive with it: such a chunk is copied out instead.
            if bytes.capacity > r.data.count + r.data.count / 4 + 256 { r.data = ArraySlice(Array(r.data)) }
            return ReceivedFrame(frame: .success(.response(r)), chunkHash: SHA256Hasher.hash(r.data), wireBytes: bytes.count)
        } catch {
            return ReceivedFrame(frame: .failure(error), chunkHash: nil, wireBytes: bytes.count)
        }
    }

    /// Handles a run of chunk requests from `peer` (frames for which ``ReceivedFrame/isRequest``
    /// holds) in one read transaction of the store: serving only reads the index, and each
    /// look-up alone would take and drop the store's read lock (two `fcntl` calls) for itself.
    public func handle(requests: ArraySlice<ReceivedFrame>, from peer: String, now: Instant) {
        store.readTogether {
            for received in requests where received.isRequest { handle(received, from: peer, now: now) }
        }
    }

    /// Handles a frame from `peer` that ``prepare(_:)`` decoded (and hashed).
    public func handle(_ received: ReceivedFrame, from peer: String, now: Instant) {
        switch received.frame {
        case .success(let frame): handle(frame: frame, chunkHash: received.chunkHash, from: peer, now: now)
        case .failure(let error): protocolError(peer: peer, reason: error.description, now: now)
        }
    }
}
