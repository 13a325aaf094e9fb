import WireKit

/// One side of pairing by short code, sans-IO: SPAKE2 with the code as password, key
/// confirmation, then an exchange of ``PairingPeerInfo`` encrypted with AES-256-GCM.
///
/// Feed received messages to ``handle(message:now:)``, send what ``pollTransmit()`` returns,
/// and read ``pollEvent()`` for `.paired` or `.failed`. The flow (both sides symmetric):
///
/// 1. send `share` (`pA` for the initiator, `pB` for the responder);
/// 2. on the peer's share: derive keys, send `confirm` (`cA` / `cB`);
/// 3. on the peer's confirm: verify it (a mismatch means wrong code or tampering: fail and
///    send `abort`), then send `payload`;
/// 4. on the peer's payload: decrypt, validate, emit `.paired`.
///
/// A relay that alters, reorders, reflects or injects messages makes key confirmation or the
/// AEAD fail; no side ever emits `.paired` with a key the other side does not hold.
public struct PairingSession: Sendable {
    /// Which side this is: the initiator created the room and shows the code (SPAKE2 side A);
    /// the responder typed it (side B).
    public enum Role: Sendable, Hashable {
        /// Created the room; SPAKE2 side A.
        case initiator
        /// Joined with the code; SPAKE2 side B.
        case responder
    }

    /// Where the exchange stands.
    public enum State: Sendable, Equatable {
        /// Sent our share; waiting for the peer's.
        case awaitingShare
        /// Keys derived and our confirmation sent; waiting for the peer's.
        case awaitingConfirmation
        /// Peer confirmed; our payload sent; waiting for the peer's.
        case awaitingPayload
        /// Done; the peer's information was delivered.
        case paired
        /// Failed for good.
        case failed(PairingError)
    }

    /// What a successful pairing yields.
    public struct Result: Sendable, Equatable {
        /// The peer's authenticated information.
        public let peer: PairingPeerInfo
        /// A 32-byte key both sides hold (HKDF of SPAKE2's `Ke`), for binding later messages.
        public let sessionKey: [UInt8]
    }

    /// An output event.
    public enum Event: Sendable, Equatable {
        /// Pairing succeeded.
        case paired(Result)
        /// Pairing failed; the room should be burnt.
        case failed(PairingError)
    }

    /// This side's role.
    public let role: Role
    /// The current state.
    public private(set) var state: State = .awaitingShare

    private let spake: SPAKE2
    private let localInfo: PairingPeerInfo
    private let deadline: Instant
    private var keys: SPAKE2Keys?
    private var transmits: [[UInt8]] = []
    private var events: [Event] = []

    /// SPAKE2 identities and domain strings (fixed by this protocol version).
    static let identityA = Array("peersync-pairing-initiator".utf8)
    static let identityB = Array("peersync-pairing-responder".utf8)

    /// Starts a session and queues the first message. `entropy` must hold at least 40 bytes of
    /// uniform randomness (``systemEntropy()`` in production; seeded bytes in tests).
    public init(role: Role, code: PairingCode, localInfo: PairingPeerInfo, entropy: [UInt8], now: Instant,
                timeout: Duration = .seconds(120)) throws(PairingError) {
        guard localInfo.isValid else { throw .invalidLocalInfo }
        let salt = Array("peersync-pairing-v1/room/\(code.nameplate)".utf8)
        let w = SPAKE2.passwordScalar(password: code.passwordBytes, salt: salt)
        do {
            let secret = try SPAKE2.secretScalar(fromEntropy: entropy)
            spake = try SPAKE2(role: role == .initiator ? .a : .b, w: w, secret: secret, identityA: Self.identityA,
                               identityB: Self.identityB, aad: salt)
        } catch {
            throw .keyExchangeFailed(error)
        }
        self.role = role
        self.localInfo = localInfo
        self.deadline = now + timeout
        transmits.append(PairingMessage.share(spake.share).encoded)
    }

    /// 64 bytes from OpenSSL's CSPRNG, for ``init(role:code:localInfo:entropy:now:timeout:)``.
    public static func systemEntropy() -> [UInt8] { PairingCrypto.randomBytes(64) }

    // MARK: Input

    /// Handles one message received from the peer through the room.
    public mutating func handle(message bytes: [UInt8], now: Instant) {
        guard !isFinished else { return }
        if now >= deadline { return handle(timeout: now) }
        let message: PairingMessage
        do {
            message = try PairingMessage(decoding: bytes)
        } catch {
            return fail(error, tell: .protocolViolation)
        }
        switch (state, message) {
        case (_, .abort(let reason)):
            fail(.peerAborted(reason), tell: nil)
        case (.awaitingShare, .share(let peerShare)):
            do {
                let k = try spake.finish(peerShare: peerShare)
                keys = k
                state = .awaitingConfirmation
                transmits.append(PairingMessage.confirm(k.ownConfirmation).encoded)
            } catch {
                fail(.keyExchangeFailed(error), tell: .protocolViolation)
            }
        case (.awaitingConfirmation, .confirm(let mac)):
            guard let k = keys, k.verifyPeerConfirmation(mac) else {
                return fail(.wrongCode, tell: .confirmationFailed)
            }
            state = .awaitingPayload
            let sealed = PairingCrypto.seal(key: payloadKey(k, sender: role), nonce: Self.nonce, aad: payloadAAD(k),
                                            plaintext: localInfo.encoded())
            transmits.append(PairingMessage.payload(sealed).encoded)
        case (.awaitingPayload, .payload(let sealed)):
            guard let k = keys else { preconditionFailure("keys exist once confirmation passed") }
            let peerRole: Role = role == .initiator ? .responder : .initiator
            guard let plain = PairingCrypto.open(key: payloadKey(k, sender: peerRole), nonce: Self.nonce,
                                                 aad: payloadAAD(k), sealed: sealed),
                  let peer = PairingPeerInfo(decoding: plain) else {
                return fail(.payloadRejected, tell: .payloadRejected)
            }
            state = .paired
            let sessionKey = PairingCrypto.hkdfSHA256(ikm: k.sharedKey, salt: PairingCrypto.sha256(k.transcript),
                                                      info: Array("peersync-pairing-v1 session key".utf8), length: 32)
            events.append(.paired(Result(peer: peer, sessionKey: sessionKey)))
        default:
            fail(.unexpectedMessage("\(Self.name(message)) while \(state)"), tell: .protocolViolation)
        }
    }

    /// Fails the session if its deadline has passed.
    public mutating func handle(timeout now: Instant) {
        guard !isFinished, now >= deadline else { return }
        fail(.timedOut, tell: .timedOut)
    }

    /// Cancels the session (tells the peer).
    public mutating func cancel() {
        guard !isFinished else { return }
        fail(.cancelled, tell: .cancelled)
    }

    // MARK: Output

    /// The next message to send to the peer.
    public mutating func pollTransmit() -> [UInt8]? {
        transmits.isEmpty ? nil : transmits.removeFirst()
    }

    /// The next event.
    public mutating func pollEvent() -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// The deadline while the exchange is running.
    public func pollTimeout() -> Instant? { isFinished ? nil : deadline }

    /// True once paired or failed.
    public var isFinished: Bool {
        switch state {
        case .paired, .failed: return true
        default: return false
        }
    }

    // MARK: Internals

    /// Each payload key encrypts exactly one message, so a fixed nonce is safe.
    static let nonce = [UInt8](repeating: 0, count: 12)

    private func payloadKey(_ k: SPAKE2Keys, sender: Role) -> [UInt8] {
        let label = sender == .initiator ? "initiator" : "responder"
        return PairingCrypto.hkdfSHA256(ikm: k.sharedKey, salt: PairingCrypto.sha256(k.transcript),
                                        info: Array("peersync-pairing-v1 payload from \(label)".utf8), length: 32)
    }

    private func payloadAAD(_ k: SPAKE2Keys) -> [UInt8] { PairingCrypto.sha256(k.transcript) }

    private mutating func fail(_ error: PairingError, tell reason: PairingAbortReason?) {
        state = .failed(error)
        keys = nil
        if let reason { transmits.append(PairingMessage.abort(reason).encoded) }
        events.append(.failed(error))
    }

    private static func name(_ m: PairingMessage) -> String {
        switch m {
        case .share: return "share"
        case .confirm: return "confirm"
        case .payload: return "payload"
        case .abort: return "abort"
        }
    }
}
