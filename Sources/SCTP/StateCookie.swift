import COpenSSL

/// The state cookie we put in INIT ACK (RFC 9260 §5.1.3): everything needed to create the
/// association when COOKIE ECHO comes back, so a listener keeps no state before that.
///
/// Layout: 46 bytes of fields followed by HMAC-SHA-256 (OpenSSL) over them, keyed by the
/// association's secret. A cookie older than its lifetime is stale (§5.1.5). The tie-tags
/// (§5.2.2) are the tags of the association that existed when the INIT ACK was made (zero
/// when there was none); they tell a peer restart apart from a late cookie (§5.2.4).
struct StateCookie: Sendable, Equatable {
    var localTag: UInt32
    var peerTag: UInt32
    var localInitialTSN: UInt32
    var peerInitialTSN: UInt32
    var peerReceiverWindow: UInt32
    var peerOutboundStreams: UInt16
    var peerInboundStreams: UInt16
    var peerSupportsForwardTSN: Bool
    var peerSupportsReconfig: Bool
    /// The peer listed I-DATA (RFC 8260) in its Supported Extensions.
    var peerSupportsInterleaving: Bool = false
    /// The peer's INIT announced our zero checksum method (RFC 9653).
    var peerAcceptsZeroChecksum: Bool = false
    /// Our verification tag of the association existing when the cookie was made (or 0).
    var localTieTag: UInt32 = 0
    /// The peer's verification tag of that association (or 0).
    var peerTieTag: UInt32 = 0
    /// How long the cookie is valid, in milliseconds (lifetime plus any Cookie Preservative).
    var lifetimeMilliseconds: UInt32 = 60_000
    /// When the cookie was made, in nanoseconds of the association's clock.
    var createdAt: UInt64

    static let fieldsSize = 46
    static let macSize = 32

    /// Serializes and signs the cookie.
    func sealed(secret: [UInt8]) -> [UInt8] {
        var b = [UInt8]()
        b.reserveCapacity(StateCookie.fieldsSize + StateCookie.macSize)
        func put32(_ v: UInt32) { for s in stride(from: 24, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: v >> UInt32(s))) } }
        func put16(_ v: UInt16) { b.append(UInt8(truncatingIfNeeded: v >> 8)); b.append(UInt8(truncatingIfNeeded: v)) }
        put32(localTag); put32(peerTag); put32(localInitialTSN); put32(peerInitialTSN); put32(peerReceiverWindow)
        put16(peerOutboundStreams); put16(peerInboundStreams)
        b.append((peerSupportsForwardTSN ? 1 : 0) | (peerSupportsReconfig ? 2 : 0) | (peerSupportsInterleaving ? 4 : 0) | (peerAcceptsZeroChecksum ? 8 : 0))
        b.append(0)
        put32(UInt32(truncatingIfNeeded: createdAt >> 32)); put32(UInt32(truncatingIfNeeded: createdAt))
        put32(localTieTag); put32(peerTieTag); put32(lifetimeMilliseconds)
        b.append(contentsOf: StateCookie.mac(b, secret: secret))
        return b
    }

    /// Verifies the MAC and decodes; nil when forged, truncated or from another secret.
    static func open(_ bytes: [UInt8], secret: [UInt8]) -> StateCookie? {
        guard bytes.count == fieldsSize + macSize else { return nil }
        let fields = Array(bytes[0..<fieldsSize])
        let expected = mac(fields, secret: secret)
        var diff: UInt8 = 0
        for i in 0..<macSize { diff |= expected[i] ^ bytes[fieldsSize + i] }
        guard diff == 0 else { return nil }
        func get32(_ o: Int) -> UInt32 { UInt32(fields[o]) << 24 | UInt32(fields[o + 1]) << 16 | UInt32(fields[o + 2]) << 8 | UInt32(fields[o + 3]) }
        func get16(_ o: Int) -> UInt16 { UInt16(fields[o]) << 8 | UInt16(fields[o + 1]) }
        return StateCookie(localTag: get32(0), peerTag: get32(4), localInitialTSN: get32(8), peerInitialTSN: get32(12),
                           peerReceiverWindow: get32(16), peerOutboundStreams: get16(20), peerInboundStreams: get16(22),
                           peerSupportsForwardTSN: fields[24] & 1 != 0, peerSupportsReconfig: fields[24] & 2 != 0,
                           peerSupportsInterleaving: fields[24] & 4 != 0, peerAcceptsZeroChecksum: fields[24] & 8 != 0, localTieTag: get32(34), peerTieTag: get32(38),
                           lifetimeMilliseconds: get32(42), createdAt: UInt64(get32(26)) << 32 | UInt64(get32(30)))
    }

    /// HMAC-SHA-256 of `data` under `secret`.
    static func mac(_ data: [UInt8], secret: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let ok = secret.withUnsafeBytes { key in
            data.withUnsafeBufferPointer { d in
                out.withUnsafeMutableBufferPointer { o in
                    HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), d.baseAddress, d.count, o.baseAddress, &length)
                }
            }
        }
        guard ok != nil, length == UInt32(macSize) else { preconditionFailure("OpenSSL HMAC-SHA-256 failed") }
        return Array(out[0..<macSize])
    }
}
