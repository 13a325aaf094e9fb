import DTLS
import Signaling
import WireKit
@testable import Rendezvous

/// Drives a `RendezvousHub` directly on virtual time and collects what it sends.
struct HubHarness {
    var hub: RendezvousHub
    var now = Instant(nanoseconds: 1_000_000_000)
    var inbox: [ConnectionID: [ServerMessage]] = [:]
    var closed: [ConnectionID: SignalingCloseCode] = [:]
    var events: [HubEvent] = []
    var seed: UInt64

    init(limits: HubLimits = HubLimits(), seed: UInt64 = 42, serverIdentity: String = "test-server") {
        self.seed = seed
        hub = RendezvousHub(limits: limits, serverIdentity: serverIdentity, random: SeededRandom(seed: seed))
    }

    mutating func drain() {
        while let transmit = hub.pollTransmit() {
            switch transmit {
            case .message(let id, let message): inbox[id, default: []].append(message)
            case .close(let id, let code): closed[id] = code
            }
        }
        while let event = hub.pollEvent() { events.append(event) }
    }

    /// Messages received by `id` since the last call.
    mutating func take(_ id: ConnectionID) -> [ServerMessage] {
        defer { inbox[id] = [] }
        return inbox[id] ?? []
    }

    /// Opens a connection and returns it with the nonce of its `hello`.
    mutating func open(source: String = "192.0.2.1") -> (ConnectionID, [UInt8]) {
        let id = hub.open(source: source, now: now)
        drain()
        for message in take(id) {
            if case .hello(_, let nonce, _) = message { return (id, nonce) }
        }
        return (id, [])
    }

    /// The `auth` proof a device makes for `nonce`.
    func proof(_ identity: DeviceIdentity, nonce: [UInt8]) -> AuthProof {
        do {
            return try DeviceIdentityCredential(identity).proof(nonce: nonce, serverIdentity: hub.serverIdentity)
        } catch {
            preconditionFailure("signing failed: \(error)")
        }
    }

    /// Opens and authenticates a connection for `identity`; clears its inbox.
    mutating func connect(_ identity: DeviceIdentity, source: String = "192.0.2.1") -> ConnectionID {
        let (id, nonce) = open(source: source)
        send(.auth(proof(identity, nonce: nonce)), from: id)
        _ = take(id)
        return id
    }

    mutating func send(_ message: ClientMessage, from id: ConnectionID) {
        hub.handle(message: message, from: id, now: now)
        drain()
    }

    mutating func sendFrame(_ text: String, from id: ConnectionID) {
        hub.handle(frame: text, from: id, now: now)
        drain()
    }

    mutating func advance(_ duration: Duration) {
        now = now + duration
        hub.handle(timeout: now)
        drain()
    }

    /// The error codes in `messages`.
    static func errors(_ messages: [ServerMessage]) -> [SignalingErrorCode] {
        messages.compactMap { if case .error(let code, _, _) = $0 { code } else { nil } }
    }
}

/// A few device identities, made once (key generation is the slow part).
enum Devices {
    static let all: [DeviceIdentity] = (0..<6).map { _ in
        do { return try DeviceIdentity.generate() } catch { preconditionFailure("key generation failed: \(error)") }
    }
    static var alice: DeviceIdentity { all[0] }
    static var bob: DeviceIdentity { all[1] }
    static var carol: DeviceIdentity { all[2] }
    static var dave: DeviceIdentity { all[3] }
}
