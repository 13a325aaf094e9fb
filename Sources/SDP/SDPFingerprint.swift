/// `a=fingerprint:<hash-func> <hex:hex:…>` (RFC 8122): the hash of the DTLS certificate the
/// endpoint will present, kept as the algorithm name and the raw digest bytes.
public struct SDPFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// The hash function as written, e.g. `sha-256` (compare with ``normalizedAlgorithm``).
    public var algorithm: String
    /// The digest bytes.
    public var bytes: [UInt8]

    /// A fingerprint of `bytes` computed with `algorithm`.
    public init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// The algorithm name in lower case (RFC 8122 names are case-insensitive).
    public var normalizedAlgorithm: String { algorithm.lowercased() }

    /// The digest as upper-case hex pairs joined by colons, as browsers write it.
    public var hexString: String {
        bytes.map { byte in
            let digits = Array("0123456789ABCDEF".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }.joined(separator: ":")
    }

    /// The attribute value: `<algorithm> <hex>`.
    public var description: String { "\(algorithm) \(hexString)" }

    /// Parses an attribute value such as `sha-256 AB:CD:…` (1–64 digest bytes).
    public init(parsing value: Substring) throws(SDPAttributeValueError) {
        let fields = SDPScalars.fields(value)
        guard fields.count == 2, SDPScalars.isToken(fields[0]) else {
            throw SDPAttributeValueError("fingerprint must be `<hash-func> <hex:hex:…>`")
        }
        var bytes: [UInt8] = []
        for pair in fields[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.utf8.count == 2, let byte = UInt8(pair, radix: 16),
                  pair.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) })
            else { throw SDPAttributeValueError("fingerprint digest must be hex byte pairs separated by ':'") }
            bytes.append(byte)
        }
        guard bytes.count <= 64 else { throw SDPAttributeValueError("fingerprint digest longer than 64 bytes") }
        self.init(algorithm: String(fields[0]), bytes: bytes)
    }
}

/// `a=setup:` (RFC 4145, RFC 8842): which side starts the DTLS handshake.
public enum SDPSetupRole: String, Hashable, Sendable, CaseIterable {
    /// This side will start the handshake (DTLS client).
    case active
    /// This side will wait for the handshake (DTLS server).
    case passive
    /// Either; the offerer's usual value.
    case actpass
    /// Do not connect now.
    case holdconn
}

/// `a=sendrecv` / `a=sendonly` / `a=recvonly` / `a=inactive` (RFC 3264 §5.1).
public enum SDPDirection: String, Hashable, Sendable, CaseIterable {
    /// Send and receive.
    case sendrecv
    /// Send only.
    case sendonly
    /// Receive only.
    case recvonly
    /// Neither.
    case inactive
}
