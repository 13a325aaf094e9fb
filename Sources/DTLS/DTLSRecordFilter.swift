/// Passes only well-formed records to OpenSSL once the handshake is done.
///
/// libssl 3.0 wedges an established connection (every later read reports `SSL_ERROR_SYSCALL`
/// and no further record is read) on some forged datagrams: a ChangeCipherSpec record, a
/// current-epoch record shorter than the AEAD overhead, a header with a bogus type or version
/// (found by contrib/fuzz/fuzz.sh --run dtls). Anyone who can spoof one UDP datagram could kill the
/// association that way, so after the handshake a datagram is reduced to the records that can
/// be genuine (RFC 6347 §4.1):
/// - content type alert (21), handshake (22) or application data (23): a finished DTLS 1.2
///   association with renegotiation disabled never needs a ChangeCipherSpec (a retransmitted
///   one from the peer's last flight is redundant: its Finished, which OpenSSL answers, is a
///   separate record);
/// - version DTLS 1.2 (0xFEFD), epoch 0 (retransmitted handshake) or 1 (current);
/// - a length that fits in the datagram, and, in epoch 1, at least `minimumProtectedLength`
///   (explicit nonce + tag).
/// Everything from the first malformed header on is dropped, as OpenSSL itself would.
enum DTLSRecordFilter {
    /// The DTLS record header length.
    static let headerLength = 13

    /// The records of `datagram` that pass the rules above (the same array when all do).
    static func sanitized(_ datagram: [UInt8], minimumProtectedLength: Int) -> [UInt8] {
        var offset = 0
        var keptRanges: [Range<Int>] = []
        var allKept = true
        while offset < datagram.count {
            guard offset + headerLength <= datagram.count else { allKept = false; break }
            let type = datagram[offset]
            let length = Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12])
            let end = offset + headerLength + length
            guard end <= datagram.count,
                  datagram[offset + 1] == 0xFE, datagram[offset + 2] == 0xFD,
                  datagram[offset + 3] == 0, datagram[offset + 4] <= 1 else { allKept = false; break }
            let epoch = datagram[offset + 4]
            if (21...23).contains(type), epoch == 0 || length >= minimumProtectedLength {
                keptRanges.append(offset..<end)
            } else {
                allKept = false
            }
            offset = end
        }
        if allKept { return datagram }
        var kept: [UInt8] = []
        kept.reserveCapacity(datagram.count)
        for range in keptRanges { kept.append(contentsOf: datagram[range]) }
        return kept
    }
}
