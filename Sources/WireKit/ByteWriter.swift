/// A big-endian writer that builds a datagram or frame in a growable array.
///
/// Length fields that precede their content can be patched afterwards with
/// ``setUInt16(_:at:)`` / ``setUInt32(_:at:)``.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    @inlinable public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// A writer that builds into `buffer`'s storage: `buffer` is left empty, the writer starts
    /// empty with at least `capacity` bytes reserved, and no allocation happens when `buffer`
    /// was the only reference to storage that large (give the bytes back with `take()`).
    @inlinable public init(reusing buffer: inout [UInt8], capacity: Int) {
        bytes = []
        swap(&bytes, &buffer)
        bytes.removeAll(keepingCapacity: true)
        if bytes.capacity < capacity { bytes.reserveCapacity(capacity) }
    }

    /// Number of bytes written.
    @inlinable public var count: Int { bytes.count }

    /// Appends one byte.
    @inlinable public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }

    /// Appends a big-endian 16-bit integer.
    @inlinable public mutating func writeUInt16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a big-endian 24-bit integer (the top byte of `v` is ignored).
    @inlinable public mutating func writeUInt24(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends a big-endian 32-bit integer.
    @inlinable public mutating func writeUInt32(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a big-endian 64-bit integer.
    @inlinable public mutating func writeUInt64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes.
    @inlinable public mutating func writeBytes<C: Collection>(_ data: C) where C.Element == UInt8 {
        bytes.append(contentsOf: data)
    }

    /// Appends `count` zero bytes (padding).
    @inlinable public mutating func writeZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    /// Pads with zeros to a multiple of `alignment` bytes.
    @inlinable public mutating func pad(to alignment: Int) {
        let rem = bytes.count % alignment
        if rem != 0 { writeZeros(alignment - rem) }
    }

    /// Overwrites two bytes at `offset` with a big-endian 16-bit integer.
    /// `offset` must point inside what was already written (a programming error otherwise).
    @inlinable public mutating func setUInt16(_ v: UInt16, at offset: Int) {
        precondition(offset >= 0 && offset + 2 <= bytes.count, "setUInt16 outside the written bytes")
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    /// Overwrites four bytes at `offset` with a big-endian 32-bit integer.
    @inlinable public mutating func setUInt32(_ v: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "setUInt32 outside the written bytes")
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// Takes the written bytes, leaving the writer empty.
    @inlinable public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
