import SyncFS
import SyncProtocol

extension FolderEngine {
    /// Answers a chunk request from the local index only (never an unindexed or ignored file).
    /// The whole chunk is read and verified; a request with a `skip` gets the bytes after it.
    ///
    /// The bytes are verified by hashing them, unless the open file still shows the state the
    /// scan recorded when it hashed the file (size, times, inode: what a rescan trusts to skip a
    /// file) and the requested chunk is one of the record's: then they are the hashed bytes. The
    /// requester verifies every chunk in any case, so a race is never placed, only retried.
    func serve(_ request: ChunkRequest, from peer: String) {
        guard let state = peers[peer], state.helloReceived else { return }
        guard state.queuedBytes + state.unsentBytes <= config.maxQueuedBytesPerPeer else { return }  // the peer will time out and retry
        guard request.folderID == config.folderID else {
            queue(.response(ChunkResponse(requestID: request.requestID, status: .invalid)), to: peer)
            return
        }
        guard let entry = localEntry(request.path, withChunks: false), !entry.record.deleted, entry.record.kind == .file,
              request.offset + UInt64(request.size) <= entry.record.size else {
            queue(.response(ChunkResponse(requestID: request.requestID, status: .notFound)), to: peer)
            return
        }
        guard request.skip == 0 else { return serveSkipping(request, entry: entry, to: peer) }
        // The chunk is read straight into the frame that carries it (no second copy to encode it).
        // A file asked for chunk by chunk stays open between its requests (see ``ServeHandles``).
        var frame: [UInt8]?
        if let f = serveHandles.take(request.path) ?? (try? fs.openRead(request.path.string)) {
            var unchanged = false
            frame = ChunkResponse.okFrame(requestID: request.requestID, size: Int(request.size)) { payload in
                guard (try? f.readFully(at: request.offset, into: payload)) == payload.count else { return false }
                unchanged = entry.state != nil && f.currentState() == entry.state
                return verify(request, UnsafeRawBufferPointer(payload), of: entry, unchanged: unchanged)
            }
            if unchanged && request.offset + UInt64(request.size) < entry.record.size {
                serveHandles.keep(f, for: request.path, now: clock)
            } else {
                f.close()
            }
        }
        guard let frame else {
            queue(.response(ChunkResponse(requestID: request.requestID, status: .notFound)), to: peer)
            return
        }
        queue(encoded: frame, to: peer)
    }

    /// ``serve(_:from:)`` for a request with a `skip` (rare): the bytes after it are sent.
    private func serveSkipping(_ request: ChunkRequest, entry: LocalEntry, to peer: String) {
        var data: [UInt8]?
        var unchanged = false
        if let f = try? fs.openRead(request.path.string) {
            data = try? f.read(at: request.offset, count: Int(request.size))
            unchanged = entry.state != nil && f.currentState() == entry.state
            f.close()
        }
        guard let bytes = data, bytes.count == Int(request.size),
              bytes.withUnsafeBytes({ verify(request, $0, of: entry, unchanged: unchanged) }) else {
            queue(.response(ChunkResponse(requestID: request.requestID, status: .notFound)), to: peer)
            return
        }
        queue(.response(ChunkResponse(requestID: request.requestID, status: .ok, data: Array(bytes[Int(request.skip)...]))), to: peer)
    }

    /// True when `bytes` (read for `request`) are the chunk asked for: the file still showed the
    /// state the scan recorded after they were read (`unchanged`; asked after the read, so a
    /// write begun before it has changed the ctime by then) and the chunk is one of the record's,
    /// or else their SHA-256 matches.
    private func verify(_ request: ChunkRequest, _ bytes: UnsafeRawBufferPointer, of entry: LocalEntry, unchanged: Bool) -> Bool {
        (unchanged && isIndexedChunk(request, of: entry.record)) || SHA256Hasher.hash(bytes) == request.hash
    }

    /// True when `request` names a chunk of `record`'s content (its offset, size and hash). A
    /// one-chunk file's list comes with its entry (see ``FolderEngine/remember(_:_:)``); a longer
    /// list is read once per content and kept while requests for it come in.
    func isIndexedChunk(_ request: ChunkRequest, of record: FileRecord) -> Bool {
        if record.chunks.count == 1, let c = record.chunks.first {
            return request.offset == 0 && c.size == request.size && c.hash == request.hash
        }
        if servedChunks?.contentHash != record.contentHash {
            guard let list = (try? store.chunkList(folderID: config.folderID, contentHash: record.contentHash)) ?? nil else { return false }
            servedChunks = ServedChunks(contentHash: record.contentHash, chunks: list)
        }
        return servedChunks?.contains(request) ?? false
    }
}

/// The chunk list of the content last served, with each chunk's offset.
struct ServedChunks {
    let contentHash: ContentHash
    let chunks: [ChunkInfo]
    let offsets: [UInt64]

    init(contentHash: ContentHash, chunks: [ChunkInfo]) {
        self.contentHash = contentHash
        self.chunks = chunks
        var offsets: [UInt64] = []
        offsets.reserveCapacity(chunks.count)
        var offset: UInt64 = 0
        for c in chunks { offsets.append(offset); offset += UInt64(c.size) }
        self.offsets = offsets
    }

    /// True when a chunk starts at the request's offset with its size and hash.
    func contains(_ request: ChunkRequest) -> Bool {
        var low = 0, high = offsets.count
        while low < high {
            let mid = (low + high) / 2
            if offsets[mid] < request.offset { low = mid + 1 } else { high = mid }
        }
        guard low < offsets.count, offsets[low] == request.offset else { return false }
        return chunks[low].size == request.size && chunks[low].hash == request.hash
    }
}
