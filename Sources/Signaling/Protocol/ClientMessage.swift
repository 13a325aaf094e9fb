import DTLS

/// A message a client sends to the rendezvous server (the `type` on the wire in brackets).
public enum ClientMessage: Sendable, Equatable {
    /// [`auth`] The answer to `hello`: the device's key material and its signature over the
    /// authentication transcript (`SignalingProtocol.authTranscript`).
    case auth(AuthProof)
    /// [`signal`] An opaque payload for the device `to`, relayed only while it is online.
    case signal(to: DeviceID, payload: String)
    /// [`subscribe`] Start receiving `presence` for exactly these devices.
    case subscribe([DeviceID])
    /// [`unsubscribe`] Stop receiving `presence` for these devices.
    case unsubscribe([DeviceID])
    /// [`create-room`] Open a pairing room; `code` proposes the room code (nil: the server picks one).
    case createRoom(code: String?)
    /// [`join-room`] Join the room with this code as its second member.
    case joinRoom(code: String)
    /// [`room-message`] An opaque payload for the other member of the room.
    case roomMessage(code: String, payload: String)
    /// [`close-room`] End the room; it is burnt either way. `outcome` tells the other member why.
    case closeRoom(code: String, outcome: RoomOutcome)
    /// [`ping`] Asks for a `pong` carrying the same `id` (for clients that cannot send WebSocket pings).
    case ping(id: String?)

    /// The wire `type` of this message.
    public var typeName: String {
        switch self {
        case .auth: "auth"
        case .signal: "signal"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .createRoom: "create-room"
        case .joinRoom: "join-room"
        case .roomMessage: "room-message"
        case .closeRoom: "close-room"
        case .ping: "ping"
        }
    }
}

/// How a client proves it holds a device key.
public struct AuthProof: Sendable, Equatable {
    /// The public half of the device key, in one of the two accepted forms.
    public enum Credential: Sendable, Equatable {
        /// An X.509 certificate (DER) holding an ECDSA P-256 key: the device ID is the SHA-256
        /// of this DER, as everywhere else in PeerSync.
        case certificate([UInt8])
        /// A bare SubjectPublicKeyInfo (DER) of an ECDSA P-256 key, for browsers that cannot
        /// export a certificate: the device ID is the SHA-256 of this DER.
        case publicKey([UInt8])
    }

    /// How the signature bytes are laid out.
    public enum SignatureFormat: String, Sendable, Equatable, Codable {
        /// ASN.1 DER `ECDSA-Sig-Value` (what OpenSSL produces).
        case der
        /// IEEE P1363 `r || s`, 64 bytes (what WebCrypto produces).
        case raw
    }

    /// The key material.
    public var credential: Credential
    /// The signature over the authentication transcript.
    public var signature: [UInt8]
    /// The layout of `signature`.
    public var signatureFormat: SignatureFormat

    /// A proof from its parts.
    public init(credential: Credential, signature: [UInt8], signatureFormat: SignatureFormat = .der) {
        self.credential = credential
        self.signature = signature
        self.signatureFormat = signatureFormat
    }
}

/// How a pairing ended, as a member reports it in `close-room`.
public enum RoomOutcome: String, Sendable, Equatable, Codable {
    /// The pairing succeeded.
    case done
    /// The pairing failed (for example the key confirmation did not match).
    case failed
}
