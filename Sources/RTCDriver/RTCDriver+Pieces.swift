import DataChannel
import PeerConnection

extension RTCDriver {
    /// Sends several binary messages given as slices of larger buffers, in order, with one hop
    /// onto the event loop (like ``send(batch:on:)``, and queued without a copy like
    /// ``send(_:on:)`` with a slice: each buffer is kept until its messages are acknowledged).
    /// Returns at once below the high-water mark; otherwise suspends until `bufferedAmount` is
    /// at or below it (see ``send(_:on:)``). A caller that
    /// cuts large frames into messages sends them here without copying each piece out.
    public func send(pieces: [ArraySlice<UInt8>], on handle: DataChannelHandle) async throws {
        guard !pieces.isEmpty else { return }
        try await enqueue(pieces.reduce(0) { $0 + $1.count }, on: handle) { pc in
            for p in pieces { try pc.send(p, on: handle) }
        }
    }
}
