/// SPAKE2 (RFC 9382) over P-256 with SHA-256, HKDF-SHA256 and HMAC-SHA256 — the
/// `SPAKE2-P256-SHA256-HKDF-HMAC` suite — on OpenSSL's point arithmetic.
///
/// One value per side. Side A sends `pA = x·P + w·M`, side B sends `pB = y·P + w·N`; each then
/// calls ``finish(peerShare:)`` with the other's share and gets ``SPAKE2Keys``: the shared key
/// `Ke` and the key-confirmation MACs of RFC 9382 §4. The secret scalar comes from the caller
/// (``PairingSession`` draws it from OpenSSL's CSPRNG; tests pass the RFC's values).
public struct SPAKE2: Sendable {
    /// Which side of the exchange this is (RFC 9382 §3.3).
    public enum Role: Sendable, Hashable {
        /// Side A: sends `pA = x·P + w·M`.
        case a
        /// Side B: sends `pB = y·P + w·N`.
        case b
    }

    /// The RFC 9382 §6 point M for P-256 (compressed SEC1).
    public static let pointM: [UInt8] = hex("02886e2f97ace46e55ba9dd7242579f2993b64e16ef3dcab95afd497333d8fa12f")
    /// The RFC 9382 §6 point N for P-256 (compressed SEC1).
    public static let pointN: [UInt8] = hex("03d8bbd6c639c62937b04d997f38c3770719c629d7014d49a24b4f98baa1292b49")

    /// This side's role.
    public let role: Role
    /// Identity of side A (may be empty).
    public let identityA: [UInt8]
    /// Identity of side B (may be empty).
    public let identityB: [UInt8]
    /// Associated data bound into the confirmation keys (RFC 9382 §4).
    public let aad: [UInt8]
    /// This side's public share (`pA` or `pB`), uncompressed SEC1, 65 bytes.
    public let share: [UInt8]

    private let w: [UInt8]
    private let secret: [UInt8]

    /// A side with password scalar `w` and secret scalar `secret` (each 32-byte big-endian,
    /// already reduced modulo the group order; `secret` must not be zero).
    public init(role: Role, w: [UInt8], secret: [UInt8], identityA: [UInt8] = [], identityB: [UInt8] = [],
                aad: [UInt8] = []) throws(SPAKE2Error) {
        let group = P256()
        guard w.count == P256.scalarLength, secret.count == P256.scalarLength,
              group.reduce(w) == w, group.reduce(secret) == secret, secret.contains(where: { $0 != 0 }) else {
            throw .invalidScalar
        }
        guard let m = group.point(role == .a ? Self.pointM : Self.pointN) else {
            preconditionFailure("RFC 9382 M/N constants do not decode")
        }
        guard let share = group.encode(group.multiply(generator: secret, point: m, by: w)) else {
            throw .invalidScalar
        }
        self.role = role
        self.w = w
        self.secret = secret
        self.identityA = identityA
        self.identityB = identityB
        self.aad = aad
        self.share = share
    }

    /// Derives `w` from a password with scrypt (a memory-hard function, RFC 9382 §3.2): 40
    /// output bytes (64 bits more than the order) reduced modulo the order.
    public static func passwordScalar(password: [UInt8], salt: [UInt8]) -> [UInt8] {
        let stretched = PairingCrypto.scrypt(password: password, salt: salt, n: 1 << 14, r: 8, p: 1, length: 40)
        return P256().reduce(stretched)
    }

    /// A secret scalar from at least 40 bytes of uniform randomness (reduced modulo the order).
    public static func secretScalar(fromEntropy entropy: [UInt8]) throws(SPAKE2Error) -> [UInt8] {
        guard entropy.count >= 40 else { throw .invalidScalar }
        let s = P256().reduce(entropy)
        guard s.contains(where: { $0 != 0 }) else { throw .invalidScalar }
        return s
    }

    /// Computes the shared secret from the peer's share and runs the RFC 9382 §4 key schedule.
    /// Throws when the share is not a valid point, equals ours (a reflection), or makes K the
    /// identity.
    public func finish(peerShare: [UInt8]) throws(SPAKE2Error) -> SPAKE2Keys {
        let group = P256()
        guard peerShare.count == P256.pointLength, peerShare.first == 0x04, let peer = group.point(peerShare) else {
            throw .invalidPeerShare
        }
        guard peerShare != share else { throw .reflectedShare }
        guard let peerBlind = group.point(role == .a ? Self.pointN : Self.pointM) else {
            preconditionFailure("RFC 9382 M/N constants do not decode")
        }
        // K = h·secret·(peerShare − w·peerBlind); h = 1 for P-256.
        let unblinded = group.subtract(peer, group.multiply(generator: nil, point: peerBlind, by: w))
        guard let k = group.encode(group.multiply(generator: nil, point: unblinded, by: secret)) else {
            throw .identityKey
        }
        let (pA, pB) = role == .a ? (share, peerShare) : (peerShare, share)
        let transcript = Self.transcript(identityA: identityA, identityB: identityB, pA: pA, pB: pB, k: k, w: w)
        return SPAKE2Keys(role: role, transcript: transcript, aad: aad)
    }

    /// TT = len(A)‖A‖len(B)‖B‖len(pA)‖pA‖len(pB)‖pB‖len(K)‖K‖len(w)‖w, lengths as 8-byte
    /// little-endian (RFC 9382 §3.3).
    static func transcript(identityA: [UInt8], identityB: [UInt8], pA: [UInt8], pB: [UInt8], k: [UInt8],
                           w: [UInt8]) -> [UInt8] {
        var tt: [UInt8] = []
        for part in [identityA, identityB, pA, pB, k, w] {
            var n = UInt64(part.count)
            for _ in 0..<8 { tt.append(UInt8(truncatingIfNeeded: n)); n >>= 8 }
            tt += part
        }
        return tt
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let hi = it.next(), let lo = it.next() {
            guard let h = hexValue(hi), let l = hexValue(lo) else { preconditionFailure("bad hex constant") }
            out.append(h << 4 | l)
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}

/// The outputs of one SPAKE2 run (RFC 9382 §4): `Ke ‖ Ka = Hash(TT)`,
/// `KcA ‖ KcB = KDF(Ka, nil, "ConfirmationKeys" ‖ AAD)`, `cA = MAC(KcA, TT)`, `cB = MAC(KcB, TT)`.
public struct SPAKE2Keys: Sendable {
    /// The side these keys belong to.
    public let role: SPAKE2.Role
    /// The transcript TT.
    public let transcript: [UInt8]
    /// The shared secret `Ke` (16 bytes): use only after the peer's confirmation verified.
    public let sharedKey: [UInt8]
    /// `Ka` (16 bytes).
    public let confirmationSecret: [UInt8]
    /// `KcA` (16 bytes).
    public let confirmationKeyA: [UInt8]
    /// `KcB` (16 bytes).
    public let confirmationKeyB: [UInt8]

    init(role: SPAKE2.Role, transcript: [UInt8], aad: [UInt8]) {
        self.role = role
        self.transcript = transcript
        let hash = PairingCrypto.sha256(transcript)
        sharedKey = Array(hash[..<16])
        confirmationSecret = Array(hash[16...])
        let kc = PairingCrypto.hkdfSHA256(ikm: confirmationSecret, info: Array("ConfirmationKeys".utf8) + aad, length: 32)
        confirmationKeyA = Array(kc[..<16])
        confirmationKeyB = Array(kc[16...])
    }

    /// `cA = HMAC(KcA, TT)`.
    public var confirmationA: [UInt8] { PairingCrypto.hmacSHA256(key: confirmationKeyA, data: transcript) }
    /// `cB = HMAC(KcB, TT)`.
    public var confirmationB: [UInt8] { PairingCrypto.hmacSHA256(key: confirmationKeyB, data: transcript) }
    /// The MAC this side sends.
    public var ownConfirmation: [UInt8] { role == .a ? confirmationA : confirmationB }

    /// True when `mac` is the peer's correct confirmation (constant-time compare).
    public func verifyPeerConfirmation(_ mac: [UInt8]) -> Bool {
        PairingCrypto.constantTimeEqual(mac, role == .a ? confirmationB : confirmationA)
    }
}

/// Why a SPAKE2 step failed.
public enum SPAKE2Error: Error, Equatable, Sendable, CustomStringConvertible {
    /// A scalar is not 32 bytes in [1, order).
    case invalidScalar
    /// The peer's share is not an uncompressed P-256 point on the curve.
    case invalidPeerShare
    /// The peer's share equals ours: a relay reflected our message.
    case reflectedShare
    /// The shared point K is the identity (a crafted share).
    case identityKey

    public var description: String {
        switch self {
        case .invalidScalar: return "invalid SPAKE2 scalar"
        case .invalidPeerShare: return "peer's SPAKE2 share is not a valid P-256 point"
        case .reflectedShare: return "peer's SPAKE2 share is our own (reflected)"
        case .identityKey: return "SPAKE2 shared point is the identity"
        }
    }
}
