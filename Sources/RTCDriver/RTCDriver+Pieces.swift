import DataChannel
import PeerConnection

extension RTCDriver {
    /// Sends several binary messages given as slices of larger buffers, in order, with one hop
    /// onto the event loop (like ``send(batch:on:)``, and queued without a copy like
    /// ``send(_:on:)`` with a slice: each buffer is kept until its messages are acknowledged).
    /// Suspends afterwards while `bufferedAmount` is above the high-water mark. A caller that
    /// cuts large frames into messages sends them here without copying each piece out.
    public func send(pieces: [ArraySlice<UInt8>], on handle: DataChannelHandle) async throws {
        guard !pieces.isEmpty else { return }
        try await enqueue(on: handle) { pc in
            for p in pieces { try pc.send(p, on: handle) }
        }
    }
}
