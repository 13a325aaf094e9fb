import DTLS
import Foundation
import Logging
import Signaling

/// `--signal ws://…/ws`: rtc-peer's signaling through a `syncd-rendezvous` server.
///
/// rtc-peer authenticates with an ephemeral identity: the same certificate as its DTLS one, so
/// its device ID is the SHA-256 fingerprint it puts in its SDP. It finds its peer either
///
/// - by a **room** (`--room CODE`, the same on both sides): both send `create-room` with the
///   code; the one told `room-exists` joins instead. Once `room-joined`, each sends
///   `{"type":"hello","device":"<ID>"}` as a room message; the joiner burns the room (`done`)
///   after the creator's hello. From then on the peer is that device; or
/// - by a **device ID** (`--peer ID`): it subscribes to the device's presence and signals it
///   once it is online; or
/// - (answerer, neither option) by the first device that signals it (its own ID is logged, so
///   the `/demo` page can call it).
///
/// The signaling messages are the `--signal stdio` lines, each the `payload` of one `signal`
/// frame. A description whose `a=fingerprint` is not the sender's device ID is refused: the
/// server relays, but cannot put itself in the middle of the DTLS connection.
actor RendezvousLink {
    private let client: SignalingClient
    private let room: String?
    private var peer: DeviceID?
    private var peerOnline = false
    private var ownID: DeviceID?
    private var joinedRoom = false
    private var joiner = false
    private var pending: [String] = []
    private let inbound: AsyncStream<Input>.Continuation

    /// A link to `url` as `identity`, meeting the peer in `room` or addressing `peer`;
    /// received signals go to `inbound`.
    init(url: String, identity: DeviceIdentity, room: String?, peer: DeviceID?, inbound: AsyncStream<Input>.Continuation) {
        var logger = Logger(label: "rtc-peer.signaling")
        logger.logLevel = ProcessInfo.processInfo.environment["RTC_PEER_SIGNAL_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        client = SignalingClient(url: url, credential: DeviceIdentityCredential(identity), logger: logger)
        self.room = room
        self.peer = peer
        self.inbound = inbound
    }

    /// Runs the client and reacts to its events until it gives up or the task is cancelled.
    func run() async {
        let client = self.client
        if let peer { try? await client.send(.subscribe([peer])) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            for await event in client.events { await handle(event) }
            group.cancelAll()
        }
    }

    /// Sends one signaling message (JSON text) to the peer, or keeps it until the peer is known
    /// and online.
    func send(_ text: String) async {
        guard let peer, peerOnline else {
            pending.append(text)
            return
        }
        do { try await client.send(.signal(to: peer, payload: text)) } catch { log("signaling: \(error)") }
    }

    /// Closes the connection to the server.
    func stop() async { await client.stop() }

    private func handle(_ event: SignalingClientEvent) async {
        switch event {
        case .authenticated(let id):
            ownID = id
            log("rendezvous: authenticated as \(id)")
            if let room, !joinedRoom { try? await client.send(.createRoom(code: room)) }
        case .disconnected(let code, let reason, let retry):
            log("rendezvous: disconnected (\(code.map(String.init) ?? "-") \(reason))" + (retry == nil ? ", giving up" : ""))
            if retry == nil { inbound.yield(.signalingEnded) }
        case .message(let message):
            await handle(message)
        }
    }

    private func handle(_ message: ServerMessage) async {
        switch message {
        case .roomCreated(let code, _):
            log("rendezvous: room \(code) created, waiting for the peer")
        case .error(.roomExists, _, _):
            if let room {
                joiner = true
                try? await client.send(.joinRoom(code: room))
            }
        case .roomJoined(let code):
            joinedRoom = true
            guard let ownID else { return }
            let hello = #"{"type":"hello","device":"\#(ownID)"}"#
            try? await client.send(.roomMessage(code: code, payload: hello))
        case .roomMessage(let code, let payload):
            guard peer == nil, let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                  object["type"] as? String == "hello", let text = object["device"] as? String,
                  let id = try? DeviceID(parsing: text) else { return }
            log("rendezvous: peer \(id) (room \(code))")
            if joiner { try? await client.send(.closeRoom(code: code, outcome: .done)) }
            await setPeer(id)
        case .presence(let device, let online):
            guard device == peer else { return }
            log("rendezvous: peer \(device) \(online ? "online" : "offline")")
            if online { await setPeer(device) } else { peerOnline = false }
        case .signal(let from, let payload):
            if peer == nil {
                log("rendezvous: peer \(from) (first to signal)")
                await setPeer(from)
            }
            guard from == peer else {
                log("rendezvous: ignoring a signal from \(from)")
                return
            }
            guard let signal = SignalIn.parse(payload) else {
                log("ignoring signaling payload: \(payload.prefix(80))")
                return
            }
            if case .description(let d) = signal, d.type != .rollback, !Self.isSigned(d.sdp, by: from) {
                log("rendezvous: refusing a description from \(from): its DTLS fingerprint is not the sender's device ID")
                return
            }
            inbound.yield(.signal(signal))
        case .error(let code, let text, let ref):
            log("rendezvous: error \(code.rawValue): \(text)" + (ref.map { " (\($0))" } ?? ""))
        case .roomClosed, .hello, .welcome, .pong:
            break
        }
    }

    private func setPeer(_ id: DeviceID) async {
        peer = id
        peerOnline = true
        let queued = pending
        pending.removeAll()
        for text in queued { await send(text) }
    }

    /// True when every `a=fingerprint` of `sdp` (at least one) is `device`'s ID.
    static func isSigned(_ sdp: String, by device: DeviceID) -> Bool {
        let values = sdp.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("a=fingerprint:") }
            .map { try? CertificateFingerprint(sdp: String($0.dropFirst("a=fingerprint:".count))) }
        return !values.isEmpty && values.allSatisfy { $0 == device.fingerprint }
    }
}
