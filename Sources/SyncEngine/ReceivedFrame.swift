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

    /// The same frame with `hash` as its chunk's digest.
    func withChunkHash(_ hash: ContentHash) -> ReceivedFrame {
        ReceivedFrame(frame: frame, chunkHash: hash, wireBytes: wireBytes)
    }

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
        var frame = decode(bytes)
        if let data = frame.hashPending { frame.prepared = frame.prepared.withChunkHash(SHA256Hasher.hash(data)) }
        return frame.prepared
    }

    /// ``prepare(_:)`` of each of `batch`, in order, with the chunks of two responses hashed at
    /// once (``SHA256Hasher/hash(_:_:)``: two interleaved SHA-NI streams do in about the time of
    /// one what two single digests do one after the other, since each stream waits on its own
    /// rounds' latency).
    public static func prepare(batch: [[UInt8]]) -> [ReceivedFrame] {
        var decoded = batch.map(decode)
        var waiting: (index: Int, data: ArraySlice<UInt8>)?   // a chunk without its pair yet
        for i in decoded.indices {
            guard let data = decoded[i].hashPending else { continue }
            guard let (j, other) = waiting else { waiting = (i, data); continue }
            waiting = nil
            let (a, b) = other.withUnsafeBytes { a in data.withUnsafeBytes { b in SHA256Hasher.hash(a, b) } }
            decoded[j].prepared = decoded[j].prepared.withChunkHash(a)
            decoded[i].prepared = decoded[i].prepared.withChunkHash(b)
        }
        if let (j, data) = waiting { decoded[j].prepared = decoded[j].prepared.withChunkHash(SHA256Hasher.hash(data)) }
        return decoded.map(\.prepared)
    }

    /// A frame decoded by ``prepare(_:)`` before its chunk, if any, is hashed.
    private struct Decoded {
        var prepared: ReceivedFrame
        /// The chunk bytes of an `ok` response, still to be hashed.
        let hashPending: ArraySlice<UInt8>?
    }

    private static func decode(_ bytes: [UInt8]) -> Decoded {
        do {
            let frame = try SyncFrame.decode(bytes)
            guard case .response(var r) = frame, r.status == .ok else {
                return Decoded(prepared: ReceivedFrame(frame: .success(frame), chunkHash: nil, wireBytes: bytes.count), hashPending: nil)
            }
            // A raw chunk is a view of the message's buffer, kept until the chunk is written. A
            // buffer much larger than the chunk would stay alive with it: such a chunk is copied
            // out instead. (SCTP delivers messages in buffers of their size; this guards frames
            // from any other source.)
            if SpareCapacity.isExcessive(capacity: bytes.capacity, keeping: r.data.count) { r.data = ArraySlice(Array(r.data)) }
            return Decoded(prepared: ReceivedFrame(frame: .success(.response(r)), chunkHash: nil, wireBytes: bytes.count), hashPending: r.data)
        } catch {
            return Decoded(prepared: ReceivedFrame(frame: .failure(error), chunkHash: nil, wireBytes: bytes.count), hashPending: nil)
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
