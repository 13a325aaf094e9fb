import SyncFS
import SyncProtocol

extension FolderEngine {
    /// Answers a chunk request from the local index only (never an unindexed or ignored file).
    /// The whole chunk is read and verified; a request with a `skip` gets the bytes after it.
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
        var data: [UInt8]?
        if let f = try? fs.openRead(request.path.string) {
            data = try? f.read(at: request.offset, count: Int(request.size))
            f.close()
        }
        guard let bytes = data, bytes.count == Int(request.size), SHA256Hasher.hash(bytes) == request.hash else {
            queue(.response(ChunkResponse(requestID: request.requestID, status: .notFound)), to: peer)
            return
        }
        let answer = request.skip == 0 ? bytes : Array(bytes[Int(request.skip)...])
        queue(.response(ChunkResponse(requestID: request.requestID, status: .ok, data: answer)), to: peer)
    }
}
