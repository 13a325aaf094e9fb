/// A bounds-checked big-endian reader over received bytes.
///
/// Every read checks the remaining length and throws ``WireParseError`` on short input;
/// nothing here traps on hostile lengths. Sub-readers (``readReader(count:)``) share the
/// underlying storage, so parsing nested TLVs does not copy.
public struct ByteReader: Sendable {
    @usableFromInline let storage: [UInt8]
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    /// A reader over all of `bytes`.
    @inlinable public init(_ bytes: [UInt8]) {
        storage = bytes
        position = 0
        end = bytes.count
    }

    /// A reader over `bytes[range]` (the range is clamped to the array).
    @inlinable public init(_ bytes: [UInt8], range: Range<Int>) {
        storage = bytes
        position = max(0, min(range.lowerBound, bytes.count))
        end = max(position, min(range.upperBound, bytes.count))
    }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { end - position }
    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { position >= end }
    /// Offset of the next byte within the original array.
    @inlinable public var offset: Int { position }

    @inlinable func require(_ n: Int) throws(WireParseError) {
        guard n >= 0, end - position >= n else {
            throw .truncated(needed: n, available: end - position)
        }
    }

    /// Reads one byte.
    @inlinable public mutating func readUInt8() throws(WireParseError) -> UInt8 {
        try require(1)
        defer { position += 1 }
        return storage[position]
    }

    /// Reads a big-endian 16-bit integer.
    @inlinable public mutating func readUInt16() throws(WireParseError) -> UInt16 {
        try require(2)
        defer { position += 2 }
        return UInt16(storage[position]) << 8 | UInt16(storage[position + 1])
    }

    /// Reads a big-endian 24-bit integer.
    @inlinable public mutating func readUInt24() throws(WireParseError) -> UInt32 {
        try require(3)
        defer { position += 3 }
        return UInt32(storage[position]) << 16 | UInt32(storage[position + 1]) << 8 | UInt32(storage[position + 2])
    }

    /// Reads a big-endian 32-bit integer.
    @inlinable public mutating func readUInt32() throws(WireParseError) -> UInt32 {
        try require(4)
        defer { position += 4 }
        return storage.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self)) }
    }

    /// Reads a big-endian 64-bit integer.
    @inlinable public mutating func readUInt64() throws(WireParseError) -> UInt64 {
        try require(8)
        defer { position += 8 }
        return storage.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt64.self)) }
    }

    /// Reads `count` bytes into a new array.
    @inlinable public mutating func readBytes(_ count: Int) throws(WireParseError) -> [UInt8] {
        try require(count)
        defer { position += count }
        return Array(storage[position..<(position + count)])
    }

    /// Reads `count` bytes as a slice of the underlying storage (no copy).
    @inlinable public mutating func readSlice(_ count: Int) throws(WireParseError) -> ArraySlice<UInt8> {
        try require(count)
        defer { position += count }
        return storage[position..<(position + count)]
    }

    /// Reads the rest of the input.
    @inlinable public mutating func readRemainingBytes() -> [UInt8] {
        defer { position = end }
        return Array(storage[position..<end])
    }

    /// Returns a reader over the next `count` bytes and skips them here.
    @inlinable public mutating func readReader(count: Int) throws(WireParseError) -> ByteReader {
        try require(count)
        defer { position += count }
        return ByteReader(storage, range: position..<(position + count))
    }

    /// Skips `count` bytes.
    @inlinable public mutating func skip(_ count: Int) throws(WireParseError) {
        try require(count)
        position += count
    }

    /// Looks at the next byte without consuming it.
    @inlinable public func peekUInt8() throws(WireParseError) -> UInt8 {
        try require(1)
        return storage[position]
    }

    /// Reads `count` bytes as UTF-8 text; invalid UTF-8 is a parse error.
    public mutating func readUTF8(_ count: Int) throws(WireParseError) -> String {
        let slice = try readSlice(count)
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw .malformed("invalid UTF-8 in a \(count)-byte text field")
        }
        return text
    }
}
