/// Drops records that OpenSSL 3.0 must not see once the handshake is done.
///
/// libssl 3.0 wedges an established connection (every later read reports `SSL_ERROR_SYSCALL`
/// and no further record is read) when a forged record of the current epoch arrives that is
/// shorter than the AEAD overhead (explicit nonce + tag), or that is a ChangeCipherSpec. Anyone
/// who can spoof one UDP datagram could kill the association that way, so such records are
/// removed before OpenSSL reads the datagram:
/// - ChangeCipherSpec records: a finished DTLS 1.2 association with renegotiation disabled
///   never needs one (a retransmitted one from the peer's last flight is redundant; its
///   Finished, which OpenSSL answers, is a separate record);
/// - records of a non-zero epoch shorter than `minimumProtectedLength` (no genuine protected
///   record is).
/// Records are walked by their 13-byte headers (RFC 6347 §4.1); a truncated tail is passed on
/// unchanged for OpenSSL to discard.
enum DTLSRecordFilter {
    /// The ChangeCipherSpec content type.
    static let changeCipherSpec: UInt8 = 20
    /// The DTLS record header length.
    static let headerLength = 13

    /// `datagram` without the records described above (the same array when it has none).
    static func sanitized(_ datagram: [UInt8], minimumProtectedLength: Int) -> [UInt8] {
        func drop(at offset: Int, length: Int) -> Bool {
            if datagram[offset] == changeCipherSpec { return true }
            let epochIsZero = datagram[offset + 3] == 0 && datagram[offset + 4] == 0
            return !epochIsZero && length < minimumProtectedLength
        }
        var offset = 0
        var needsRewrite = false
        while offset + headerLength <= datagram.count {
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            if drop(at: offset, length: length) { needsRewrite = true; break }
            offset += headerLength + length
        }
        guard needsRewrite else { return datagram }
        var kept: [UInt8] = []
        kept.reserveCapacity(datagram.count)
        offset = 0
        while offset < datagram.count {
            guard offset + headerLength <= datagram.count else {
                kept.append(contentsOf: datagram[offset...])
                break
            }
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            let end = min(offset + headerLength + length, datagram.count)
            if !drop(at: offset, length: length) { kept.append(contentsOf: datagram[offset..<end]) }
            offset = end
        }
        return kept
    }
}
