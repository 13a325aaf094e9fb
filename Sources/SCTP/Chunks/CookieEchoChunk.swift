import WireKit

/// A COOKIE ECHO chunk (RFC 9260 §3.3.11): returns the state cookie from INIT ACK.
public struct CookieEchoChunk: Sendable, Equatable {
    /// The opaque cookie exactly as received.
    public var cookie: [UInt8]

    /// Creates a COOKIE ECHO.
    public init(cookie: [UInt8]) { self.cookie = cookie }

    static func parse(value: inout ByteReader) -> CookieEchoChunk { CookieEchoChunk(cookie: value.readRemainingBytes()) }

    /// Appends the whole chunk.
    public func write(into w: inout ByteWriter) {
        w.writeUInt8(ChunkType.cookieEcho)
        w.writeUInt8(0)
        w.writeUInt16(UInt16(truncatingIfNeeded: 4 + cookie.count))
        w.writeBytes(cookie)
        w.pad(to: 4)
    }
}
