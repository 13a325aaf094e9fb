import COpenSSL

/// Protects and opens the application-data records of an established DTLS 1.2 association in
/// our own code, with one keyed AEAD context per direction, instead of a trip through libssl's
/// record layer and the BIO per record.
///
/// OpenSSL still runs the handshake and handles every other record (alerts, retransmitted
/// handshake flights); this only takes over epoch 1 application data once the handshake is
/// done. The keys are the ones OpenSSL derived (RFC 5246 §6.3): the TLS 1.2 PRF with the
/// suite's digest over the session's master secret and the two randoms ("key expansion"), so
/// a record sealed here is one OpenSSL (or any peer) opens, and the other way round.
///
/// - AES-128/256-GCM (RFC 5288): nonce = 4-byte write IV ‖ 8-byte explicit nonce carried in the
///   record; ours is the record's epoch and sequence number (unique per key, as §3 suggests).
/// - ChaCha20-Poly1305 (RFC 7905): nonce = 12-byte write IV XOR the padded epoch ‖ sequence;
///   no explicit nonce.
/// - Additional data (RFC 6347 §4.1.2.1): epoch ‖ sequence ‖ type ‖ version ‖ plaintext length.
/// - Received records pass a 64-record replay window (RFC 6347 §4.1.2.6) that only
///   authenticated records move; forged or replayed records are dropped and counted.
/// - The write sequence continues OpenSSL's: it starts after the last epoch 1 record OpenSSL
///   wrote, and records OpenSSL writes later (alerts, a retransmitted Finished) are re-sealed
///   with the next number here (``resequenced(_:)``), so sequence numbers (and GCM nonces)
///   never repeat under one key.
///
/// Not thread-safe: it belongs to one ``DTLSEndpoint``.
final class DTLSRecordProtection {
    /// The DTLS record header length.
    static let headerLength = 13
    /// The AEAD tag length of every supported suite.
    static let tagLength = 16
    /// The epoch of the keys negotiated by the (only) handshake.
    static let epoch: UInt16 = 1
    /// Sequence numbers are 48 bits (RFC 6347 §4.1).
    static let sequenceLimit: UInt64 = 1 << 48

    /// Bytes of explicit nonce per record: 8 for AES-GCM, 0 for ChaCha20-Poly1305.
    let explicitNonceLength: Int
    /// AES-GCM: the contexts are in OpenSSL's TLS record mode (``CShim_DTLSAEAD_record``: one
    /// parameter set and one cipher call per record, in place); ChaCha20-Poly1305 uses the
    /// generic calls.
    private let recordMode: Bool
    /// The sequence number the next sealed record gets.
    private(set) var nextWriteSequence: UInt64
    /// Received records dropped because their tag did not verify.
    private(set) var authenticationFailures = 0
    /// Received records dropped as replays or as too old for the window.
    private(set) var replaysDropped = 0

    private let cipher: OpaquePointer       // const EVP_CIPHER *
    private let sealContext: OpaquePointer  // EVP_CIPHER_CTX *, write key, encrypting
    private let openContext: OpaquePointer  // EVP_CIPHER_CTX *, read key, decrypting
    /// Opens records OpenSSL sealed with the write key (made when first needed; rare).
    private var ownRecordOpener: OpaquePointer?
    private var writeKey: [UInt8]
    private let writeIV: [UInt8]
    private let readIV: [UInt8]
    private var replayWindow = DTLSReplayWindow()
    /// Where ``openIntoScratch(_:)`` decrypts (any record a datagram can hold fits).
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 16)

    /// The record protection for `ssl`'s negotiated suite, or nil when the suite is not an
    /// AEAD this supports (the endpoint then keeps using OpenSSL's record layer).
    /// `nextWriteSequence` is one past the last epoch 1 record OpenSSL wrote.
    init?(ssl: OpaquePointer, role: DTLSRole, nextWriteSequence: UInt64) {
        guard let current = SSL_get_current_cipher(ssl), let session = SSL_get_session(ssl),
              let md = SSL_CIPHER_get_handshake_digest(current) else { return nil }
        let keyLength: Int
        let ivLength: Int
        let evpCipher: OpaquePointer?
        switch SSL_CIPHER_get_cipher_nid(current) {
        case NID_aes_128_gcm: (keyLength, ivLength, evpCipher) = (16, 4, EVP_aes_128_gcm())
        case NID_aes_256_gcm: (keyLength, ivLength, evpCipher) = (32, 4, EVP_aes_256_gcm())
        case NID_chacha20_poly1305: (keyLength, ivLength, evpCipher) = (32, 12, EVP_chacha20_poly1305())
        default: return nil
        }
        guard let evpCipher else { return nil }
        var master = [UInt8](repeating: 0, count: 48)
        var clientRandom = [UInt8](repeating: 0, count: 32)
        var serverRandom = [UInt8](repeating: 0, count: 32)
        defer { Self.cleanse(&master) }
        guard SSL_SESSION_get_master_key(session, &master, master.count) == 48,
              SSL_get_client_random(ssl, &clientRandom, clientRandom.count) == 32,
              SSL_get_server_random(ssl, &serverRandom, serverRandom.count) == 32 else { return nil }
        // RFC 5246 §6.3: key_block = PRF(master, "key expansion", server_random + client_random);
        // AEAD suites have no MAC keys: client key, server key, client IV, server IV.
        let seed = Array("key expansion".utf8) + serverRandom + clientRandom
        var block = [UInt8](repeating: 0, count: 2 * (keyLength + ivLength))
        defer { Self.cleanse(&block) }
        guard CShim_TLS12_PRF(md, master, master.count, seed, seed.count, &block, block.count) == 1 else { return nil }
        let clientKey = Array(block[0..<keyLength])
        let serverKey = Array(block[keyLength..<2 * keyLength])
        let clientIV = Array(block[2 * keyLength..<2 * keyLength + ivLength])
        let serverIV = Array(block[2 * keyLength + ivLength..<2 * (keyLength + ivLength)])
        let readKey = role == .client ? serverKey : clientKey
        let writeKey = role == .client ? clientKey : serverKey
        guard let seal = CShim_DTLSAEAD_new(evpCipher, writeKey, 1) else { return nil }
        guard let open = CShim_DTLSAEAD_new(evpCipher, readKey, 0) else {
            EVP_CIPHER_CTX_free(seal)
            return nil
        }
        let writeIV = role == .client ? clientIV : serverIV
        let readIV = role == .client ? serverIV : clientIV
        // AES-GCM runs in OpenSSL's TLS record mode: the seal context counts the explicit
        // nonce (epoch ‖ sequence) itself, starting at the next sequence number.
        let recordMode = ivLength == 4
        if recordMode {
            let first = writeIV + Self.bigEndianBytes(UInt64(Self.epoch) << 48 | nextWriteSequence)
            guard CShim_DTLSAEAD_set_record_iv(seal, first, 12) == 1, CShim_DTLSAEAD_set_record_iv(open, readIV, 4) == 1 else {
                EVP_CIPHER_CTX_free(seal)
                EVP_CIPHER_CTX_free(open)
                return nil
            }
        }
        self.cipher = evpCipher
        self.sealContext = seal
        self.openContext = open
        self.writeKey = writeKey
        self.writeIV = writeIV
        self.readIV = readIV
        self.explicitNonceLength = ivLength == 4 ? 8 : 0
        self.recordMode = recordMode
        self.nextWriteSequence = nextWriteSequence
    }

    deinit {
        EVP_CIPHER_CTX_free(sealContext)
        EVP_CIPHER_CTX_free(openContext)
        if let ownRecordOpener { EVP_CIPHER_CTX_free(ownRecordOpener) }
        Self.cleanse(&writeKey)
        if let base = scratch.baseAddress { OPENSSL_cleanse(base, scratch.count) }
        scratch.deallocate()
    }

    /// Header, explicit nonce and tag: what a record adds to its plaintext.
    var overhead: Int { Self.headerLength + explicitNonceLength + Self.tagLength }

    // MARK: Sealing

    /// One record of content `type` holding `payload`, sealed under the next sequence number;
    /// nil when the sequence numbers are used up (2^48 records) or OpenSSL fails internally.
    func seal(type: UInt8, _ payload: UnsafeRawBufferPointer) -> [UInt8]? {
        var ok = false
        let record = [UInt8](unsafeUninitializedCapacity: payload.count + overhead) { buffer, count in
            count = seal(type: type, payload, into: UnsafeMutableRawBufferPointer(buffer)) ?? 0
            ok = count > 0
        }
        return ok ? record : nil
    }

    /// Seals one record of content `type` holding `payload` straight into `out` (at least
    /// `payload.count + overhead` bytes, not overlapping `payload`), under the next sequence
    /// number: the same bytes ``seal(type:_:)`` returns. The record's length, or nil when `out`
    /// is too small (nothing used), the sequence numbers are used up or OpenSSL fails.
    func seal(type: UInt8, _ payload: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Int? {
        seal(type: type, length: payload.count, into: out, source: payload) { body in
            if let source = payload.baseAddress, let target = body.baseAddress { target.copyMemory(from: source, byteCount: body.count) }
        }
    }

    /// As ``seal(type:_:into:)``, for a plaintext of `length` bytes that `fill` writes straight
    /// into the record's body in `out` (the buffer it is given is exactly `length` bytes), where
    /// it is then encrypted in place: no copy of a plaintext made elsewhere first. `fill` may be
    /// called more than once for one record and must write the same bytes each time.
    func seal(type: UInt8, length: Int, into out: UnsafeMutableRawBufferPointer,
              writing fill: (UnsafeMutableRawBufferPointer) -> Void) -> Int? {
        seal(type: type, length: length, into: out, source: nil, fill)
    }

    /// The two above: `source`, when given, is the plaintext, encrypted from where it is
    /// (outside record mode); otherwise `fill` writes the plaintext into the body first.
    private func seal(type: UInt8, length n: Int, into out: UnsafeMutableRawBufferPointer, source: UnsafeRawBufferPointer?,
                      _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Int? {
        let sequence = nextWriteSequence
        let bodyLength = explicitNonceLength + n + Self.tagLength
        guard sequence < Self.sequenceLimit, n >= 0, n <= 16_384 + 1_024, out.count >= Self.headerLength + bodyLength,
              let raw = out.baseAddress else { return nil }
        nextWriteSequence += 1
        let epochAndSequence = UInt64(Self.epoch) << 48 | sequence
        let base = raw.assumingMemoryBound(to: UInt8.self)
        base[0] = type
        base[1] = 0xFE
        base[2] = 0xFD
        Self.storeBigEndian(epochAndSequence, at: base + 3)
        base[11] = UInt8(truncatingIfNeeded: bodyLength >> 8)
        base[12] = UInt8(truncatingIfNeeded: bodyLength)
        if recordMode {
            return sealInPlace(base, type: type, epochAndSequence: epochAndSequence, length: n, fill)
                ? Self.headerLength + bodyLength : nil
        }
        if explicitNonceLength == 8 { Self.storeBigEndian(epochAndSequence, at: base + 13) }
        let body = base + Self.headerLength + explicitNonceLength
        let plaintext: UnsafePointer<UInt8>?
        if let source {
            plaintext = source.baseAddress?.assumingMemoryBound(to: UInt8.self)
        } else {
            fill(UnsafeMutableRawBufferPointer(start: body, count: n))
            plaintext = UnsafePointer(body)  // encrypted in place (EVP allows in == out)
        }
        let ok = withNonceAndAdditionalData(iv: writeIV, epochAndSequence: epochAndSequence, type: type,
                                            plaintextLength: n) { nonce, aad in
            CShim_DTLSAEAD_seal(sealContext, nonce, aad, plaintext, n, body, body + n) == 1
        }
        return ok ? Self.headerLength + bodyLength : nil
    }

    /// Record mode: has `fill` write the `n`-byte plaintext behind the header at `record` and
    /// seals it in place; the context writes the explicit nonce, which must be
    /// `epochAndSequence` (the context counts one per record, as the sequence does; if they ever
    /// differ it is set again and the record filled and sealed anew: what was sealed under the
    /// wrong nonce is overwritten, never sent).
    private func sealInPlace(_ record: UnsafeMutablePointer<UInt8>, type: UInt8, epochAndSequence: UInt64, length n: Int,
                             _ fill: (UnsafeMutableRawBufferPointer) -> Void) -> Bool {
        let body = record + Self.headerLength
        for attempt in 0..<2 {
            fill(UnsafeMutableRawBufferPointer(start: body + 8, count: n))
            let sealed = Self.withAdditionalData(epochAndSequence: epochAndSequence, type: type, length: n + 8) { aad in
                CShim_DTLSAEAD_record(sealContext, aad, body, 8 + n + Self.tagLength)
            }
            guard sealed > 0 else { return false }
            if Self.loadBigEndian(body) == epochAndSequence { return true }
            guard attempt == 0 else { return false }
            let iv = writeIV + Self.bigEndianBytes(epochAndSequence)
            guard CShim_DTLSAEAD_set_record_iv(sealContext, iv, 12) == 1 else { return false }
        }
        return false
    }

    /// `datagram` (as OpenSSL wrote it) with each epoch 1 record opened and sealed again
    /// under the next sequence number here; other records unchanged. A record that does not
    /// open (never the case for OpenSSL's own) is left out.
    func resequenced(_ datagram: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(datagram.count)
        datagram.withUnsafeBytes { raw in
            var offset = 0
            while offset + Self.headerLength <= raw.count {
                let length = Int(raw[offset + 11]) << 8 | Int(raw[offset + 12])
                let end = offset + Self.headerLength + length
                guard end <= raw.count else { break }
                let record = UnsafeRawBufferPointer(rebasing: raw[offset..<end])
                if Self.epoch(of: record) == Self.epoch {
                    if ownRecordOpener == nil { ownRecordOpener = CShim_DTLSAEAD_new(cipher, writeKey, 0) }
                    if let opener = ownRecordOpener,
                       let plain = open(record, context: opener, iv: writeIV),
                       let sealed = plain.withUnsafeBytes({ seal(type: record[0], $0) }) {
                        out.append(contentsOf: sealed)
                    }
                } else {
                    out.append(contentsOf: record)
                }
                offset = end
            }
        }
        return out
    }

    // MARK: Opening

    /// The plaintext of one received epoch 1 record (header included in `record`), or nil
    /// when it is a replay, too old for the window, or does not authenticate.
    func open(_ record: UnsafeRawBufferPointer) -> [UInt8]? {
        // Record mode opens in the scratch buffer (a record body never exceeds its 64 KiB).
        if recordMode { return openIntoScratch(record).map { Array($0) } }
        guard record.count >= Self.headerLength + explicitNonceLength + Self.tagLength else {
            authenticationFailures += 1
            return nil
        }
        let sequence = Self.sequence(of: record)
        guard replayWindow.isFresh(sequence) else {
            replaysDropped += 1
            return nil
        }
        guard let plain = open(record, context: openContext, iv: readIV) else {
            authenticationFailures += 1
            return nil
        }
        replayWindow.markReceived(sequence)
        return plain
    }

    /// Whether ``openIntoScratch(_:)`` is available (AES-GCM's record mode).
    var opensIntoScratch: Bool { recordMode }

    /// Record mode only: as ``open(_:)``, decrypting a copy of the body in the scratch buffer;
    /// the plaintext is a view of it, valid until the next call. Nil (counted) when it is a
    /// replay, too old for the window, or does not authenticate.
    func openIntoScratch(_ record: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let bodyLength = record.count - Self.headerLength
        guard recordMode, bodyLength >= 8 + Self.tagLength, bodyLength <= scratch.count,
              let base = record.baseAddress, let body = scratch.baseAddress else {
            authenticationFailures += 1
            return nil
        }
        let sequence = Self.sequence(of: record)
        guard replayWindow.isFresh(sequence) else {
            replaysDropped += 1
            return nil
        }
        body.copyMemory(from: base + Self.headerLength, byteCount: bodyLength)
        let epochAndSequence = Self.loadBigEndian((base + 3).assumingMemoryBound(to: UInt8.self))
        let opened = Self.withAdditionalData(epochAndSequence: epochAndSequence, type: record[0], length: bodyLength) { aad in
            CShim_DTLSAEAD_record(openContext, aad, body.assumingMemoryBound(to: UInt8.self), bodyLength)
        }
        guard opened > 0 else {
            authenticationFailures += 1
            return nil
        }
        replayWindow.markReceived(sequence)
        return UnsafeRawBufferPointer(start: body + 8, count: bodyLength - 8 - Self.tagLength)
    }

    /// Decrypts and verifies `record` (at least header + explicit nonce + tag long).
    private func open(_ record: UnsafeRawBufferPointer, context: OpaquePointer, iv: [UInt8]) -> [UInt8]? {
        let n = record.count - Self.headerLength - explicitNonceLength - Self.tagLength
        guard n >= 0, let base = record.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var epochAndSequence: UInt64 = 0
        for i in 3..<11 { epochAndSequence = epochAndSequence << 8 | UInt64(record[i]) }
        let ciphertext = base + Self.headerLength + explicitNonceLength
        var ok = false
        let plain = [UInt8](unsafeUninitializedCapacity: max(n, 1)) { buffer, count in
            guard let out = buffer.baseAddress else { return }
            ok = withNonceAndAdditionalData(iv: iv, epochAndSequence: epochAndSequence, type: record[0],
                                            plaintextLength: n, explicitNonce: base + Self.headerLength) { nonce, aad in
                CShim_DTLSAEAD_open(context, nonce, aad, ciphertext, n, ciphertext + n, out) == 1
            }
            count = ok ? n : 0
        }
        return ok ? plain : nil
    }

    // MARK: Nonces and headers

    /// Calls `body` with the 12-byte nonce and 13-byte additional data of one record.
    /// `explicitNonce` (AES-GCM, opening) is the record's own; sealing uses epoch ‖ sequence.
    private func withNonceAndAdditionalData<R>(iv: [UInt8], epochAndSequence: UInt64, type: UInt8, plaintextLength: Int,
                                               explicitNonce: UnsafePointer<UInt8>? = nil,
                                               _ body: (UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 25) { scratch in
            guard let nonce = scratch.baseAddress else { preconditionFailure("temporary allocation without storage") }
            let aad = nonce + 12
            if explicitNonceLength == 8 {
                for i in 0..<4 { nonce[i] = iv[i] }
                if let explicitNonce {
                    for i in 0..<8 { nonce[4 + i] = explicitNonce[i] }
                } else {
                    Self.storeBigEndian(epochAndSequence, at: nonce + 4)
                }
            } else {
                for i in 0..<4 { nonce[i] = iv[i] }
                for i in 0..<8 { nonce[4 + i] = iv[4 + i] ^ UInt8(truncatingIfNeeded: epochAndSequence >> (56 - 8 * i)) }
            }
            Self.storeBigEndian(epochAndSequence, at: aad)
            aad[8] = type
            aad[9] = 0xFE
            aad[10] = 0xFD
            aad[11] = UInt8(truncatingIfNeeded: plaintextLength >> 8)
            aad[12] = UInt8(truncatingIfNeeded: plaintextLength)
            return body(nonce, aad)
        }
    }

    /// Calls `body` with a record's 13 bytes of additional data (RFC 6347 §4.1.2.1) whose length
    /// field holds `length`.
    private static func withAdditionalData<R>(epochAndSequence: UInt64, type: UInt8, length: Int,
                                              _ body: (UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 13) { scratch in
            guard let aad = scratch.baseAddress else { preconditionFailure("temporary allocation without storage") }
            storeBigEndian(epochAndSequence, at: aad)
            aad[8] = type
            aad[9] = 0xFE
            aad[10] = 0xFD
            aad[11] = UInt8(truncatingIfNeeded: length >> 8)
            aad[12] = UInt8(truncatingIfNeeded: length)
            return body(aad)
        }
    }

    /// The epoch of a record (header at least 13 bytes).
    static func epoch(of record: UnsafeRawBufferPointer) -> UInt16 {
        UInt16(record[3]) << 8 | UInt16(record[4])
    }

    /// The 48-bit sequence number of a record (header at least 13 bytes).
    static func sequence(of record: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for i in 5..<11 { value = value << 8 | UInt64(record[i]) }
        return value
    }

    private static func loadBigEndian(_ pointer: UnsafePointer<UInt8>) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<8 { value = value << 8 | UInt64(pointer[i]) }
        return value
    }

    private static func bigEndianBytes(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) }
    }

    private static func storeBigEndian(_ value: UInt64, at pointer: UnsafeMutablePointer<UInt8>) {
        for i in 0..<8 { pointer[i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
    }

    private static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
        }
    }
}
