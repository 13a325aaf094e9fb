/// A device's identity as people see it: the SHA-256 of its DTLS certificate's DER.
///
/// Written like Syncthing's device IDs: the 32-byte digest in RFC 4648 base32 (52 characters,
/// no padding), split into four groups of 13 characters, each followed by a Luhn mod 32 check
/// character (56 characters), shown in eight dash-separated groups of seven:
/// `P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2`.
/// The check characters catch every single-character typo.
public struct DeviceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 bytes of the SHA-256 digest of the certificate's DER.
    public let digest: [UInt8]

    /// The device ID of a certificate, given its DER encoding.
    public init(certificateDER: [UInt8]) {
        self.digest = OpenSSLDigest.sha256(certificateDER)
    }

    /// A device ID from its raw 32-byte digest; nil when `digest` is not 32 bytes long.
    public init?(digest: [UInt8]) {
        guard digest.count == 32 else { return nil }
        self.digest = digest
    }

    /// Parses an ID as people type or paste it: any case, with or without spaces and dashes.
    /// The four check characters are required and must match.
    public init(parsing text: String) throws(DeviceIDParseError) {
        var values: [UInt8] = []
        values.reserveCapacity(56)
        for scalar in text.unicodeScalars {
            if scalar == "-" || scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { continue }
            guard let value = Base32.value(of: scalar) else {
                throw .invalidCharacter(Character(scalar), position: values.count)
            }
            values.append(value)
        }
        if values.count == 52 { throw .missingCheckCharacters }
        guard values.count == 56 else { throw .wrongLength(count: values.count) }
        var data: [UInt8] = []
        data.reserveCapacity(52)
        for group in 0..<4 {
            let start = group * 14
            let chunk = values[start..<(start + 13)]
            guard Luhn32.checkValue(of: chunk) == values[start + 13] else {
                throw .checkCharacterMismatch(group: group)
            }
            data.append(contentsOf: chunk)
        }
        guard let bytes = Base32.decode(values: data, byteCount: 32) else { throw .nonCanonicalEncoding }
        self.digest = bytes
    }

    /// The 56-character form with check characters, without dashes.
    public var compactString: String {
        let data = Base32.encodeValues(digest)
        var values: [UInt8] = []
        values.reserveCapacity(56)
        for group in 0..<4 {
            let chunk = data[(group * 13)..<(group * 13 + 13)]
            values.append(contentsOf: chunk)
            values.append(Luhn32.checkValue(of: chunk))
        }
        return String(decoding: values.map { Base32.alphabet[Int($0)] }, as: UTF8.self)
    }

    /// The canonical form: eight dash-separated groups of seven characters.
    public var description: String {
        let data = Base32.encodeValues(digest)
        // 56 symbols (52 data + 4 check) in 8 groups of 7, joined by 7 dashes.
        return String(unsafeUninitializedCapacity: 63) { out in
            var written = 0
            var symbols = 0
            func put(_ value: UInt8) {
                if symbols > 0 && symbols % 7 == 0 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
                out[written] = Base32.alphabet[Int(value)]
                written += 1
                symbols += 1
            }
            for group in 0..<4 {
                let chunk = data[(group * 13)..<(group * 13 + 13)]
                for value in chunk { put(value) }
                put(Luhn32.checkValue(of: chunk))
            }
            return written
        }
    }

    /// The first seven characters (the first group): enough to tell devices apart in logs
    /// and conflict file names, not to authenticate them.
    public var shortID: String { String(compactString.prefix(7)) }

    /// The SHA-256 certificate fingerprint this ID stands for (as SDP carries it).
    public var fingerprint: CertificateFingerprint {
        CertificateFingerprint(algorithm: .sha256, digest: digest)
    }

    /// Hashes the digest's bytes in one call (the synthesized version feeds them one by one;
    /// the rendezvous hub looks devices up for every relayed signal).
    public func hash(into hasher: inout Hasher) {
        digest.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func < (lhs: DeviceID, rhs: DeviceID) -> Bool {
        lhs.digest.lexicographicallyPrecedes(rhs.digest)
    }
}

/// RFC 4648 base32 (upper-case alphabet, no padding) over 5-bit values.
enum Base32 {
    /// The 32 symbols, indexed by value.
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The value of a symbol, accepting lower case; nil for anything outside the alphabet.
    static func value(of scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x41...0x5A: return UInt8(scalar.value - 0x41)
        case 0x61...0x7A: return UInt8(scalar.value - 0x61)
        case 0x32...0x37: return UInt8(scalar.value - 0x32 + 26)
        default: return nil
        }
    }

    /// `bytes` as 5-bit values, most significant bits first, the last one zero-padded.
    static func encodeValues(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(UInt8((buffer >> UInt32(bits)) & 0x1F))
            }
        }
        if bits > 0 { out.append(UInt8((buffer << UInt32(5 - bits)) & 0x1F)) }
        return out
    }

    /// The `byteCount` bytes encoded by `values`; nil when the count is wrong or the padding
    /// bits of the last value are not zero.
    static func decode(values: [UInt8], byteCount: Int) -> [UInt8]? {
        guard values.count == (byteCount * 8 + 4) / 5 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = (buffer << 5) | UInt32(value & 0x1F)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
            buffer &= (1 << UInt32(bits)) &- 1
        }
        guard out.count == byteCount, buffer == 0 else { return nil }
        return out
    }
}

/// The Luhn mod N algorithm over base32 values, exactly as Syncthing computes its device ID
/// check characters (factors 1, 2, 1, … from the left), so our IDs match theirs.
enum Luhn32 {
    /// The check value (0–31) for `values`.
    static func checkValue<C: Collection>(of values: C) -> UInt8 where C.Element == UInt8 {
        var factor = 1
        var sum = 0
        for value in values {
            var addend = factor * Int(value)
            factor = factor == 2 ? 1 : 2
            addend = addend / 32 + addend % 32
            sum += addend
        }
        return UInt8((32 - sum % 32) % 32)
    }
}
