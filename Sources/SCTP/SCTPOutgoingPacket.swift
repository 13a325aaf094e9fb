import WireKit

/// An outgoing SCTP packet as `SCTPAssociation.pollTransmit(into:)` builds it for a
/// driver that puts packets straight into their final buffer: the common header, the control
/// chunks and the DATA / I-DATA chunk headers in one small array, and the user data of each
/// data chunk as a slice of the message the application passed to `send` (not copied yet).
///
/// ``write(into:)`` then writes the whole packet once, where it goes (the body of the DTLS
/// record that carries it, in the socket buffer): the user data is copied once between `send`
/// and the socket, instead of into a packet array first and into the record after.
///
/// The slices keep their messages alive while the packet is held; ``releaseUserData()`` drops
/// them once the packet is written.
public struct SCTPOutgoingPacket: Sendable {
    /// Where one chunk's user data goes: before the skeleton's byte at `offset`, `payload`
    /// and then `padding` zero bytes.
    struct Splice: Sendable {
        var offset: Int
        var payload: ArraySlice<UInt8>
        var padding: Int
    }

    /// The packet without its user data (header, control chunks, data chunk headers).
    var skeleton = ByteWriter(capacity: 0)
    /// The user data, in packet order.
    var splices: [Splice] = []
    /// User data and padding bytes held in `splices`.
    var splicedBytes = 0
    /// Whether ``write(into:)`` stores the CRC-32C (false: the zero checksum of RFC 9653, or a
    /// control packet sealed when it was queued).
    var needsChecksum = false
    /// Set for the array API (`pollTransmit(into: &[UInt8])`): the user data is copied into
    /// the skeleton as each chunk is written, which is then the whole packet (no splices: the
    /// one copy the array needs anyway, without their bookkeeping).
    var inlineUserData = false

    /// An empty packet (filled by `SCTPAssociation.pollTransmit(into:)`).
    public init() {}

    /// The packet's length in bytes.
    public var count: Int { skeleton.count + splicedBytes }

    /// Empties the packet for building the next one, keeping its storage.
    mutating func reset(capacity: Int) {
        // Drivers poll until there is nothing to send after every input: an empty packet is
        // left as it is (no uniqueness check, no reallocation of a shared buffer).
        if !skeleton.bytes.isEmpty { skeleton.bytes.removeAll(keepingCapacity: true) }
        if skeleton.bytes.capacity < capacity { skeleton.bytes.reserveCapacity(capacity) }
        if !splices.isEmpty { splices.removeAll(keepingCapacity: true) }
        splicedBytes = 0
        needsChecksum = false
    }

    /// Appends a data chunk's user data (and its padding to a multiple of 4 bytes) after the
    /// chunk header just written to the skeleton.
    mutating func appendUserData(_ payload: ArraySlice<UInt8>) {
        let padding = (4 - payload.count & 3) & 3
        if inlineUserData {
            payload.withUnsafeBufferPointer { skeleton.bytes.append(contentsOf: $0) }
            for _ in 0..<padding { skeleton.bytes.append(0) }
            return
        }
        splices.append(Splice(offset: skeleton.count, payload: payload, padding: padding))
        splicedBytes += payload.count + padding
    }

    /// Drops the references to the messages whose user data the packet holds (the
    /// association keeps its own until they are acknowledged).
    public mutating func releaseUserData() {
        splices.removeAll(keepingCapacity: true)
        splicedBytes = 0
    }

    /// Writes the packet, with its checksum when it has one, into `out`, which must be exactly
    /// ``count`` bytes long (a programming error otherwise). May be called again on the same
    /// packet: it writes the same bytes.
    public func write(into out: UnsafeMutableRawBufferPointer) {
        guard out.count == count, let base = out.baseAddress else { preconditionFailure("packet written into a buffer of another size") }
        var to = 0, from = 0
        skeleton.bytes.withUnsafeBytes { head in
            guard let headBase = head.baseAddress else { preconditionFailure("a packet without its header") }
            for s in splices {
                if s.offset > from {
                    (base + to).copyMemory(from: headBase + from, byteCount: s.offset - from)
                    to += s.offset - from
                    from = s.offset
                }
                s.payload.withUnsafeBytes { p in
                    if let source = p.baseAddress { (base + to).copyMemory(from: source, byteCount: p.count) }
                }
                to += s.payload.count
                if s.padding > 0 { (base + to).initializeMemory(as: UInt8.self, repeating: 0, count: s.padding) }
                to += s.padding
            }
            if head.count > from { (base + to).copyMemory(from: headBase + from, byteCount: head.count - from) }
        }
        guard needsChecksum else { return }
        let crc = CRC32C.sctpChecksum(UnsafeRawBufferPointer(out))
        for i in 0..<4 { out[8 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
    }

    /// The packet as one array, in `bytes` (its storage reused when large enough and unshared).
    public func write(into bytes: inout [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.reserveCapacity(count)
        var from = 0
        skeleton.bytes.withUnsafeBufferPointer { head in
            for s in splices {
                if s.offset > from {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: head[from..<s.offset]))
                    from = s.offset
                }
                s.payload.withUnsafeBufferPointer { bytes.append(contentsOf: $0) }
                for _ in 0..<s.padding { bytes.append(0) }
            }
            if head.count > from { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: head[from...])) }
        }
        if needsChecksum { SCTPPacket.seal(&bytes) }
    }
}
