import ControlAPI
import Foundation
import Pairing
import Signaling
import WireKit

/// Pairing by short code through rendezvous rooms (see docs/pairing.md): the room number is the
/// code's nameplate, the two words stay secret, SPAKE2 (``PairingSession``) runs over
/// `room-message`s, and on success each side adds the other to its trust store.
struct PairingRooms {
    /// One pairing in progress (or finished, kept for status queries).
    struct Run {
        var code: PairingCode
        var session: PairingSession
        var joined = false
        var info: PairingInfo
        var waiters: [CheckedContinuation<PairingInfo, Never>] = []
        var startedAt = Instant.monotonicNow()
        var room: String { String(code.nameplate) }
    }

    /// Callers of `create-room` waiting for `room-created`, oldest first.
    var creating: [CheckedContinuation<String?, Never>] = []
    /// When the oldest waiting `create-room` was sent.
    var creatingSince: Instant?
    /// Rooms created before their caller started waiting.
    var unclaimed: [String] = []
    /// Runs by room, while the room is open.
    var active: [String: Run] = [:]
    /// Finished runs by code, for `GET /pairing/<code>`.
    var finished: [String: PairingInfo] = [:]

    /// How long a shown code stays usable.
    static let codeLifetime: Duration = .seconds(300)
}

extension PeerTransport {
    /// Opens a room and returns a fresh code for it (`syncctl pair`); pairing then proceeds in the
    /// background when the other device joins.
    func createPairingCode() async throws(DaemonError) -> PairingInfo {
        guard pairing.creating.isEmpty, pairing.creatingSince == nil else {
            throw .conflict("another pairing code is being created", hint: "try again in a moment")
        }
        pairing.unclaimed.removeAll()
        pairing.creatingSince = .monotonicNow()
        defer { pairing.creatingSince = nil }
        do { try await client.send(.createRoom(code: nil)) } catch {
            throw .unavailable("the rendezvous server cannot be reached (\(error))", hint: "check that it runs at \(rendezvousURL)")
        }
        let room: String?
        if !pairing.unclaimed.isEmpty {
            room = pairing.unclaimed.removeFirst()
        } else {
            room = await withCheckedContinuation { c in pairing.creating.append(c) }
        }
        guard let room, let nameplate = UInt32(room) else {
            throw .unavailable("the rendezvous server did not open a pairing room", hint: "check that it runs at \(rendezvousURL); see `syncctl logs`")
        }
        let code: PairingCode
        do { code = try PairingCode.generate(nameplate: nameplate) } catch { throw .io("making a pairing code: \(error)") }
        let run = try await makeRun(role: .initiator, code: code)
        pairing.active[room] = run
        logger.info("pairing code created; waiting for the other device", metadata: ["room": "\(room)"])
        return run.info
    }

    /// Joins the room of `text` (`syncctl pair <code>`) and waits until pairing succeeds or fails.
    func joinPairing(code text: String) async throws(DaemonError) -> PairingInfo {
        let code: PairingCode
        do { code = try PairingCode(parsing: text) } catch {
            throw .badRequest("\(text) is not a pairing code: \(error)", hint: "type the code `syncctl pair` printed on the other device")
        }
        let room = String(code.nameplate)
        guard pairing.active[room] == nil else { throw .conflict("this device is already pairing through room \(room)", hint: nil) }
        let run = try await makeRun(role: .responder, code: code)
        pairing.active[room] = run
        do { try await client.send(.joinRoom(code: room)) } catch {
            pairing.active[room] = nil
            throw .unavailable("the rendezvous server cannot be reached (\(error))", hint: "check that it runs at \(rendezvousURL)")
        }
        return await withCheckedContinuation { c in
            if let done = pairing.finished[code.description] { c.resume(returning: done) } else { pairing.active[room]?.waiters.append(c) }
        }
    }

    /// Where the pairing of `code` stands.
    func pairingStatus(code text: String) throws(DaemonError) -> PairingInfo {
        let canonical = (try? PairingCode(parsing: text))?.description ?? text
        if let done = pairing.finished[canonical] { return done }
        if let run = pairing.active.values.first(where: { $0.code.description == canonical }) { return run.info }
        throw .notFound("no pairing with code \(text)", hint: "create one with `syncctl pair`")
    }

    private func makeRun(role: PairingSession.Role, code: PairingCode) async throws(DaemonError) -> PairingRooms.Run {
        let local = PairingPeerInfo(deviceID: localID, deviceName: daemon.config.deviceName, signalingURL: rendezvousURL)
        do {
            let session = try PairingSession(role: role, code: code, localInfo: local, entropy: PairingSession.systemEntropy(),
                                             now: .monotonicNow(), timeout: PairingRooms.codeLifetime)
            return PairingRooms.Run(code: code, session: session, info: PairingInfo(code: code.description, state: "waiting"))
        } catch {
            throw .io("starting the pairing exchange: \(error)")
        }
    }

    // MARK: Rendezvous room events

    func pairingMessage(_ message: ServerMessage) async {
        switch message {
        case .roomCreated(let code, _):
            if !pairing.creating.isEmpty { pairing.creating.removeFirst().resume(returning: code) } else if pairing.creatingSince != nil { pairing.unclaimed.append(code) }
        case .roomJoined(let room):
            guard pairing.active[room] != nil else { return }
            pairing.active[room]?.joined = true
            logger.info("the other device joined the pairing room", metadata: ["room": "\(room)"])
            await pump(room)
        case .roomMessage(let room, let payload):
            guard pairing.active[room] != nil, let bytes = Data(base64Encoded: payload) else { return }
            pairing.active[room]?.session.handle(message: Array(bytes), now: .monotonicNow())
            await pump(room)
        case .roomClosed(let room, let reason):
            guard pairing.active[room] != nil else { return }
            let why: String
            switch reason {
            case .done, .failed: why = "the other device ended the pairing (\(reason.rawValue))"
            case .expired: why = "the code expired"
            case .peerLeft: why = "the other device left"
            }
            await finish(room, PairingInfo(code: pairing.active[room]?.info.code ?? "", state: "failed", message: why), outcome: nil)
        default:
            break
        }
    }

    /// A room request was refused; returns false when the error is not about pairing.
    func pairingError(code: SignalingErrorCode, message: String, ref: String?) async -> Bool {
        switch code {
        case .noSuchRoom, .roomFull, .invalidRoom, .notInRoom, .roomMessageLimit, .roomExists, .roomLimit:
            if let ref, pairing.active[ref] != nil {
                let why = code == .noSuchRoom ? "no such pairing code: it expired or was already used; ask for a new one"
                    : code == .roomFull ? "another device already used this code; ask for a new one" : "the rendezvous server refused: \(message)"
                await finish(ref, PairingInfo(code: pairing.active[ref]?.info.code ?? "", state: "failed", message: why), outcome: nil)
            } else if code == .roomLimit || code == .roomExists, !pairing.creating.isEmpty {
                pairing.creating.removeFirst().resume(returning: nil)
            }
            return true
        default:
            return false
        }
    }

    /// The rendezvous connection dropped: rooms are burnt by the server, so every run fails.
    func pairingDisconnected() async {
        for c in pairing.creating { c.resume(returning: nil) }
        pairing.creating.removeAll()
        for room in Array(pairing.active.keys) {
            await finish(room, PairingInfo(code: pairing.active[room]?.info.code ?? "", state: "failed",
                                           message: "the connection to the rendezvous server dropped; try again"), outcome: nil)
        }
    }

    func pairingTick(now: Instant) async {
        if let since = pairing.creatingSince, now - since > .seconds(10) {
            for c in pairing.creating { c.resume(returning: nil) }
            pairing.creating.removeAll()
        }
        for room in Array(pairing.active.keys) {
            if let run = pairing.active[room], !run.joined, run.session.role == .responder, now - run.startedAt > .seconds(15) {
                await finish(room, PairingInfo(code: run.info.code, state: "failed", message: "the rendezvous server did not let this device into the pairing room"), outcome: nil)
                continue
            }
            pairing.active[room]?.session.handle(timeout: now)
            await pump(room)
        }
    }

    /// Sends what the session wants to send (once the room has two members) and acts on its result.
    private func pump(_ room: String) async {
        guard var run = pairing.active[room] else { return }
        var outgoing: [String] = []
        if run.joined {
            while let m = run.session.pollTransmit() { outgoing.append(Data(m).base64EncodedString()) }
        }
        var event: PairingSession.Event?
        while let e = run.session.pollEvent() { event = e }
        pairing.active[room] = run
        for payload in outgoing { try? await client.send(.roomMessage(code: room, payload: payload)) }
        switch event {
        case .paired(let result)?:
            let peer = result.peer
            guard let canonical = try? TrustStore.canonical(peer.deviceID), canonical != localID else {
                await finish(room, PairingInfo(code: run.info.code, state: "failed", message: "the other device sent an invalid device ID"), outcome: .failed)
                return
            }
            do {
                try await daemon.pairedByCode(deviceID: canonical, name: peer.deviceName.isEmpty ? nil : peer.deviceName)
            } catch {
                await finish(room, PairingInfo(code: run.info.code, state: "failed", message: error.description), outcome: .failed)
                return
            }
            logger.info("paired by code", metadata: ["device": "\(canonical)", "name": "\(peer.deviceName)"])
            await finish(room, PairingInfo(code: run.info.code, state: "paired", deviceID: canonical, message: peer.deviceName), outcome: .done)
        case .failed(let error)?:
            logger.warning("\(error)", metadata: ["room": "\(room)"])   // the error says "pairing failed: …"
            await finish(room, PairingInfo(code: run.info.code, state: "failed", message: error.description), outcome: .failed)
        case nil:
            break
        }
    }

    private func finish(_ room: String, _ info: PairingInfo, outcome: RoomOutcome?) async {
        guard let run = pairing.active.removeValue(forKey: room) else { return }
        pairing.finished[info.code] = info
        if pairing.finished.count > 64, let oldest = pairing.finished.keys.first { pairing.finished[oldest] = nil }
        for w in run.waiters { w.resume(returning: info) }
        if let outcome { try? await client.send(.closeRoom(code: room, outcome: outcome)) }
    }
}
