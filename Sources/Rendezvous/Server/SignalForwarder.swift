#if canImport(Glibc)
import Glibc
#endif
import DTLS
import NIOCore
import NIOWebSocket
import Signaling

/// The relay's hot path for one connection: a `signal` text frame is forwarded with its payload
/// exactly as received — only the bytes before the payload are rewritten, in place, from
/// `{"type":"signal","to":"<ID>","payload":` to `{"type":"signal","from":"<ID>","payload":` —
/// so relaying builds no `String`, no `ServerMessage` and no JSON, and copies the payload once
/// (while unmasking it). The payload is still checked as the general decoder checks it (JSON
/// string syntax, UTF-8, `maxPayloadBytes`); any frame of another shape, or with a fault, takes
/// the general path and gets its usual answer.
///
/// It also remembers the last addressee's ID text (a connection keeps signalling the same peer)
/// and its own `from` prefix, so neither is parsed or formatted per message.
struct SignalForwarder {
    /// Bytes kept free in front of an unmasked frame: the `from` prefix is two bytes longer
    /// than the `to` one (more when `to` was written without dashes), and the WebSocket header
    /// (at most 10 bytes) can then be written in front of it too.
    static let headroom = 24

    private var lastTarget: (text: [UInt8], device: DeviceID)?
    private var prefix: (device: DeviceID, bytes: [UInt8])?

    /// The addressee of `frame` (an unmasked text frame) and where its members lie, when it
    /// is a `signal` the shortcut can forward; nil when it must take the general path.
    mutating func plan(_ frame: ByteBuffer, codec: SignalingCodec) -> (target: DeviceID, layout: SignalFrameLayout)? {
        guard frame.readableBytes <= codec.maxFrameBytes else { return nil }
        return frame.withUnsafeReadableBytes { bytes -> (target: DeviceID, layout: SignalFrameLayout)? in
            guard let layout = SignalFrameLayout.locate(in: bytes, peerKey: .to), !layout.peerHasEscapes,
                  layout.payloadByteCount <= codec.maxPayloadBytes else { return nil }
            let text = UnsafeRawBufferPointer(rebasing: bytes[layout.peer])
            if let last = lastTarget, Self.same(last.text, text) { return (last.device, layout) }
            guard let device = try? DeviceID(parsing: String(decoding: text, as: UTF8.self)) else { return nil }
            lastTarget = (Array(text), device)
            return (device, layout)
        }
    }

    /// True when `stored` and `bytes` hold the same bytes (one `memcmp`, not a generic
    /// element-by-element walk: this runs for every relayed signal).
    private static func same(_ stored: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == bytes.count else { return false }
        guard let other = bytes.baseAddress else { return stored.isEmpty }
        return stored.withUnsafeBytes { mine in
            guard let base = mine.baseAddress else { return true }
            return memcmp(base, other, stored.count) == 0
        }
    }

    /// Turns the planned `frame` into the addressee's frame, `{"type":"signal","from":"<device>","payload":<as received>}`,
    /// in place when there is room in front of the payload (else into a new buffer); true when
    /// in place.
    @discardableResult
    mutating func rewrite(_ frame: inout ByteBuffer, layout: SignalFrameLayout, from device: DeviceID,
                          allocator: ByteBufferAllocator) -> Bool {
        let prefix = prefixBytes(for: device)
        let base = frame.readerIndex
        let payloadStart = base + layout.quotedPayload.lowerBound
        let payloadEnd = base + layout.quotedPayload.upperBound
        let newStart = payloadStart - prefix.count
        if newStart >= 10 {
            frame.setBytes(prefix, at: newStart)
            frame.moveReaderIndex(to: newStart)
            frame.moveWriterIndex(to: payloadEnd)
            frame.writeInteger(UInt8(ascii: "}"))
            return true
        }
        var out = allocator.buffer(capacity: 10 + prefix.count + layout.quotedPayload.count + 1)
        out.moveWriterIndex(forwardBy: 10)
        out.moveReaderIndex(forwardBy: 10)
        out.writeBytes(prefix)
        out.writeImmutableBuffer(frame.getSlice(at: payloadStart, length: payloadEnd - payloadStart) ?? ByteBuffer())
        out.writeInteger(UInt8(ascii: "}"))
        frame = out
        return false
    }

    /// `{"type":"signal","from":"<device>","payload":`, made once per sending device.
    private mutating func prefixBytes(for device: DeviceID) -> [UInt8] {
        if let prefix, prefix.device == device { return prefix.bytes }
        let bytes = Array(#"{"type":"signal","from":""#.utf8) + Array(device.description.utf8) + Array(#"","payload":"#.utf8)
        prefix = (device, bytes)
        return bytes
    }
}
