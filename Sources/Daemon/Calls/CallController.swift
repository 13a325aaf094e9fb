import ControlAPI
import Foundation
import Logging
import RTP
import WireKit

/// The voice call of this daemon (one at a time, with any paired, connected device).
///
/// Ringing and answering travel as ``MediaSignal``s on the connection's `control` channel;
/// ringing also makes sure the connection has an Opus m-line (renegotiation on the live
/// connection: the data channels keep flowing). Audio runs only while a call is active, in a
/// ``CallAudio`` created on accept and dropped on hangup. Every change is published on the
/// event bus (`call-ringing`, `call-accepted`, `call-rejected`, `call-ended`, `call-dtmf`).
actor CallController {
    /// Where a call stands.
    enum Phase: String { case ringingOut = "ringing-out", ringingIn = "ringing-in", active }

    struct Call {
        let id: String
        let peer: String
        let name: String
        var phase: Phase
        var since: Date
        let session: PeerSession
        var input: AudioInputSpec?
        var output: AudioOutputSpec?
        var audio: CallAudio?
        var dtmfReceived = ""
        /// Set while the call is being torn down (its output file is written).
        var ending = false
    }

    private let daemon: SyncDaemon
    private let logger: Logger
    private weak var transport: PeerTransport?
    private var call: Call?
    private var lastEnded: String?

    init(daemon: SyncDaemon, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
    }

    /// Connects the controller to the transport that owns the sessions.
    func attach(_ transport: PeerTransport) { self.transport = transport }

    // MARK: Control API

    /// The call's status (idle when there is none).
    func status() async -> CallStatus {
        guard let c = call else { return CallStatus(state: "idle", lastEnded: lastEnded) }
        var s = CallStatus(state: c.phase.rawValue, device: c.peer, deviceName: c.name, since: c.since.timeIntervalSince1970,
                           input: c.audio?.inputInUse ?? c.input?.description, output: c.audio?.outputInUse ?? c.output?.description,
                           dtmfReceived: c.dtmfReceived)
        if let a = c.audio {
            s.framesSent = await a.framesSent
            s.framesPlayed = await a.framesPlayed
            s.concealedShare = await a.concealedShare
        }
        return s
    }

    /// Rings `request.device`.
    func start(_ request: CallRequest) async throws(DaemonError) -> CallStatus {
        let (peer, name) = try await daemon.resolveDevice(request.device)
        if let c = call { throw Self.busy(c) }
        let input = try AudioInputSpec(parsing: request.input)
        let output = try AudioOutputSpec(parsing: request.output)
        guard let session = await transport?.connectedSession(peer) else {
            throw .conflict("device \(name) is not connected", hint: "both daemons must run and reach the rendezvous server; see `syncctl status`")
        }
        var rng = SystemRandomNumberGenerator()
        let id = String(rng.next(), radix: 36)
        call = Call(id: id, peer: peer, name: name, phase: .ringingOut, since: Date(), session: session, input: input, output: output)
        lastEnded = nil
        await session.ensureMedia(.audio)
        do { try await session.send(MediaSignal(type: "call", action: "ring", call: id)) } catch {
            await end(id, reason: "the ring could not be sent: \(error)")
            throw error
        }
        logger.info("calling \(name)", metadata: ["device": "\(peer)"])
        publish("call-ringing", peer, "outgoing")
        return await status()
    }

    /// Takes the ringing call.
    func accept(_ request: CallAnswerRequest) async throws(DaemonError) -> CallStatus {
        guard var c = call, c.phase == .ringingIn else { throw Self.notRinging(call) }
        let input = try AudioInputSpec(parsing: request.input)
        let output = try AudioOutputSpec(parsing: request.output)
        c.input = input
        c.output = output
        c.audio = try CallAudio(driver: c.session.driver, epoch: c.session.startedAt, input: input, output: output)
        c.phase = .active
        c.since = Date()
        call = c
        await c.audio?.start()
        do { try await c.session.send(MediaSignal(type: "call", action: "accept", call: c.id)) } catch {
            await end(c.id, reason: "the answer could not be sent: \(error)")
            throw error
        }
        logger.info("call with \(c.name) accepted", metadata: ["device": "\(c.peer)"])
        publish("call-accepted", c.peer, "incoming")
        return await status()
    }

    /// Refuses the ringing call.
    func reject() async throws(DaemonError) {
        guard let c = call, c.phase == .ringingIn else { throw Self.notRinging(call) }
        try? await c.session.send(MediaSignal(type: "call", action: "reject", call: c.id))
        publish("call-rejected", c.peer, "by this device")
        await end(c.id, reason: "rejected on this device")
    }

    /// Ends the call (or stops ringing).
    func hangup() async throws(DaemonError) {
        guard let c = call else { throw Self.noCall() }
        try? await c.session.send(MediaSignal(type: "call", action: "hangup", call: c.id))
        await end(c.id, reason: "hung up on this device")
    }

    // MARK: From the connections

    /// A call message from `session`'s peer.
    func received(_ signal: MediaSignal, from session: PeerSession) async {
        guard let id = signal.call, let action = signal.action else { return }
        let peer = session.peerID
        switch action {
        case "ring":
            if let c = call {
                if c.id != id { try? await session.send(MediaSignal(type: "call", action: "busy", call: id)) }
                return
            }
            let name = (try? await daemon.resolveDevice(peer))?.name ?? String(peer.prefix(7))
            call = Call(id: id, peer: peer, name: name, phase: .ringingIn, since: Date(), session: session)
            lastEnded = nil
            logger.info("incoming call from \(name)", metadata: ["device": "\(peer)"])
            publish("call-ringing", peer, "incoming")
        case "accept":
            guard var c = call, c.id == id, c.peer == peer, c.phase == .ringingOut else { return }
            do {
                c.audio = try CallAudio(driver: c.session.driver, epoch: c.session.startedAt, input: c.input ?? .defaultDevice,
                                        output: c.output ?? .defaultDevice)
            } catch {
                try? await session.send(MediaSignal(type: "call", action: "hangup", call: id))
                await end(id, reason: "\(error)")
                return
            }
            c.phase = .active
            c.since = Date()
            call = c
            await c.audio?.start()
            logger.info("call with \(c.name) accepted", metadata: ["device": "\(peer)"])
            publish("call-accepted", peer, "outgoing")
        case "reject", "busy":
            guard let c = call, c.id == id, c.peer == peer else { return }
            publish("call-rejected", peer, action == "busy" ? "busy" : "by the other device")
            await end(id, reason: action == "busy" ? "the other device is busy" : "rejected by the other device")
        case "hangup":
            guard let c = call, c.id == id, c.peer == peer else { return }
            await end(id, reason: "hung up by the other device")
        default:
            break
        }
    }

    /// An Opus packet from `peer`.
    func audioPacket(_ packet: RTPPacket, from peer: String) async {
        guard let c = call, c.peer == peer, let audio = c.audio else { return }
        await audio.receive(packet)
    }

    /// Sends DTMF digits in the active call.
    func sendDTMF(_ request: DTMFRequest) async throws(DaemonError) {
        guard let c = call else { throw Self.noCall() }
        guard c.phase == .active, let audio = c.audio else {
            throw .conflict("the call with \(c.name) is \(c.phase.rawValue), not active", hint: "DTMF needs an answered call")
        }
        try await audio.insertDTMF(request.digits, duration: request.durationMilliseconds ?? 100, gap: request.gapMilliseconds ?? 70)
        logger.info("sending DTMF \(request.digits)", metadata: ["device": "\(c.peer)"])
    }

    /// A telephone-event packet from `peer`: completed digits become `call-dtmf` events.
    func telephoneEvent(_ packet: RTPPacket, from peer: String) async {
        guard let c = call, c.peer == peer, let audio = c.audio else { return }
        let digits = await audio.receiveTelephoneEvent(packet)
        guard !digits.isEmpty, call?.id == c.id else { return }
        for d in digits {
            call?.dtmfReceived.append(d.tone)
            logger.info("DTMF \(d.tone) received (\(d.duration))", metadata: ["device": "\(peer)"])
            publish("call-dtmf", peer, String(d.tone))
        }
    }

    /// `session` closed: a call on it ends.
    func sessionClosed(_ session: PeerSession) async {
        guard let c = call, c.session === session else { return }
        await end(c.id, reason: "the connection to the other device was lost")
    }

    // MARK: Helpers

    /// Ends call `id`: stops its audio (writing the output file), then shows it idle.
    private func end(_ id: String, reason: String) async {
        guard var c = call, c.id == id, !c.ending else { return }
        c.ending = true
        call = c
        var why = reason
        if let a = c.audio {
            let input = await a.inputStartedAt.map { String($0.nanoseconds) } ?? "-"
            let output = await a.outputStartedAt.map { String($0.nanoseconds) } ?? "-"
            logger.debug("call audio timeline: input sample 0 at \(input) ns, output sample 0 at \(output) ns (CLOCK_MONOTONIC)")
        }
        if let failure = await c.audio?.stop() {
            logger.error("\(failure)")
            why += "; \(failure)"
        }
        call = nil
        lastEnded = why
        logger.info("call with \(c.name) ended: \(why)", metadata: ["device": "\(c.peer)"])
        publish("call-ended", c.peer, why)
        await c.session.releaseMedia(.audio)
    }

    private func publish(_ type: String, _ device: String, _ message: String) {
        daemon.events.publish(ControlEvent(time: Date().timeIntervalSince1970, type: type, device: device, message: message))
    }

    static func noCall() -> DaemonError {
        .conflict("no call in progress", hint: "start one with `syncctl call <device>`")
    }

    static func notRinging(_ call: Call?) -> DaemonError {
        guard let call else { return noCall() }
        return .conflict("the call with \(call.name) is \(call.phase.rawValue), not ringing on this device",
                         hint: call.phase == .active ? "hang up with `syncctl call hangup`" : "wait for the other device to answer, or `syncctl call hangup`")
    }

    static func busy(_ call: Call) -> DaemonError {
        .conflict("a call is already active (\(call.phase.rawValue) with \(call.name))", hint: "hang up first: `syncctl call hangup`")
    }
}
