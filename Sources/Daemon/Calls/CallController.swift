import ControlAPI
import Foundation
import Logging
import RTP
import WireKit

/// The voice calls of this daemon: up to ``maxCalls`` at once, at most one per device (a
/// connection carries one audio m-line), each with any paired, connected device.
///
/// Ringing and answering travel as ``MediaSignal``s on the connection's `control` channel;
/// ringing also makes sure the connection has an Opus m-line (renegotiation on the live
/// connection: the data channels keep flowing). Audio runs only while a call is active, in a
/// ``CallAudio`` created on accept and dropped on hangup; each call has its own input and output.
/// A call is named by its id or by its device (``CallTargetRequest``); when no name is given the
/// only call that fits is meant, and several are an error that lists them. Every change is
/// published on the event bus (`call-ringing`, `call-accepted`, `call-rejected`, `call-ended`,
/// `call-dtmf`) with the device.
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

    /// The most calls (ringing or active) at once (`maxCalls` in the configuration, default 4); a
    /// ring beyond it is refused (`busy` to a peer, a conflict error to `syncctl`). Each active
    /// call encodes and decodes Opus in real time.
    let maxCalls: Int

    private let daemon: SyncDaemon
    private let logger: Logger
    private weak var transport: PeerTransport?
    /// The calls ringing or active, by id.
    private var calls: [String: Call] = [:]
    /// Why the last call ended (any device), and why each device's last call ended.
    private var lastEnded: String?
    private var lastEndedByPeer: [String: String] = [:]

    init(daemon: SyncDaemon, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
        maxCalls = daemon.config.maxCalls
    }

    /// Connects the controller to the transport that owns the sessions.
    func attach(_ transport: PeerTransport) { self.transport = transport }

    // MARK: Control API

    /// Every call, oldest first.
    func list() async -> [CallStatus] {
        var out: [CallStatus] = []
        for c in calls.values.sorted(by: { $0.since < $1.since }) { out.append(await status(of: c)) }
        return out
    }

    /// One call's status: the one `target` names (an idle status with that device's last end
    /// reason when it has none), or the only call (idle when there is none).
    func status(_ target: String? = nil) async throws(DaemonError) -> CallStatus {
        if let target {
            if let c = calls[target] { return await status(of: c) }
            let (peer, name) = try await daemon.resolveDevice(target)
            if let c = calls.values.first(where: { $0.peer == peer }) { return await status(of: c) }
            return CallStatus(state: "idle", device: peer, deviceName: name, lastEnded: lastEndedByPeer[peer])
        }
        guard let c = try await pick(nil, phases: nil, command: "status") else { return CallStatus(state: "idle", lastEnded: lastEnded) }
        return await status(of: c)
    }

    private func status(of c: Call) async -> CallStatus {
        var s = CallStatus(id: c.id, state: c.phase.rawValue, device: c.peer, deviceName: c.name, since: c.since.timeIntervalSince1970,
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
        if let c = calls.values.first(where: { $0.peer == peer }) { throw Self.busy(c) }
        guard calls.count < maxCalls else { throw Self.full(calls.count, limit: maxCalls) }
        let input = try AudioInputSpec(parsing: request.input)
        let output = try AudioOutputSpec(parsing: request.output)
        guard let session = await transport?.connectedSession(peer) else {
            throw .conflict("device \(name) is not connected", hint: "both daemons must run and reach the rendezvous server; see `syncctl status`")
        }
        var rng = SystemRandomNumberGenerator()
        let id = String(rng.next(), radix: 36)
        let call = Call(id: id, peer: peer, name: name, phase: .ringingOut, since: Date(), session: session, input: input, output: output)
        calls[id] = call
        await session.ensureMedia(.audio)
        do { try await session.send(MediaSignal(type: "call", action: "ring", call: id)) } catch {
            await end(id, reason: "the ring could not be sent: \(error)")
            throw error
        }
        logger.info("calling \(name)", metadata: ["device": "\(peer)", "call": "\(id)"])
        publish("call-ringing", peer, "outgoing")
        return await status(of: calls[id] ?? call)
    }

    /// Takes a ringing call (the one `request.call` names, or the only one ringing).
    func accept(_ request: CallAnswerRequest) async throws(DaemonError) -> CallStatus {
        guard var c = try await pick(request.call, phases: [.ringingIn], command: "accept") else { throw Self.notRinging(nil) }
        let input = try AudioInputSpec(parsing: request.input)
        let output = try AudioOutputSpec(parsing: request.output)
        c.input = input
        c.output = output
        c.audio = try CallAudio(driver: c.session.driver, epoch: c.session.startedAt, input: input, output: output)
        c.phase = .active
        c.since = Date()
        calls[c.id] = c
        await c.audio?.start()
        do { try await c.session.send(MediaSignal(type: "call", action: "accept", call: c.id)) } catch {
            await end(c.id, reason: "the answer could not be sent: \(error)")
            throw error
        }
        logger.info("call with \(c.name) accepted", metadata: ["device": "\(c.peer)", "call": "\(c.id)"])
        publish("call-accepted", c.peer, "incoming")
        return await status(of: calls[c.id] ?? c)
    }

    /// Refuses a ringing call (the one `target` names, or the only one ringing).
    func reject(_ target: String?) async throws(DaemonError) {
        guard let c = try await pick(target, phases: [.ringingIn], command: "reject") else { throw Self.notRinging(nil) }
        try? await c.session.send(MediaSignal(type: "call", action: "reject", call: c.id))
        publish("call-rejected", c.peer, "by this device")
        await end(c.id, reason: "rejected on this device")
    }

    /// Ends a call or stops its ringing (the one `target` names, or the only call).
    func hangup(_ target: String?) async throws(DaemonError) {
        guard let c = try await pick(target, phases: nil, command: "hangup") else { throw Self.noCall() }
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
            if calls[id] != nil { return }
            if let c = calls.values.first(where: { $0.peer == peer }) {
                // The same device rings again: a ring crossing ours (both called at once) makes
                // the lower id win, so exactly one of the two calls is left on both sides.
                if c.phase == .ringingOut, id < c.id {
                    await end(c.id, reason: "the other device called at the same time", releasingMedia: false)
                } else {
                    try? await session.send(MediaSignal(type: "call", action: "busy", call: id))
                    return
                }
            }
            guard calls.count < maxCalls else {
                logger.info("a ring refused: \(calls.count) calls already (the most at once)", metadata: ["device": "\(peer)"])
                try? await session.send(MediaSignal(type: "call", action: "busy", call: id))
                return
            }
            let name = (try? await daemon.resolveDevice(peer))?.name ?? String(peer.prefix(7))
            calls[id] = Call(id: id, peer: peer, name: name, phase: .ringingIn, since: Date(), session: session)
            logger.info("incoming call from \(name)", metadata: ["device": "\(peer)", "call": "\(id)"])
            publish("call-ringing", peer, "incoming")
        case "accept":
            guard var c = calls[id], c.peer == peer, c.phase == .ringingOut else { return }
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
            calls[id] = c
            await c.audio?.start()
            logger.info("call with \(c.name) accepted", metadata: ["device": "\(peer)", "call": "\(id)"])
            publish("call-accepted", peer, "outgoing")
        case "reject", "busy":
            guard let c = calls[id], c.peer == peer else { return }
            publish("call-rejected", peer, action == "busy" ? "busy" : "by the other device")
            // A rejecting device releases the audio itself; a busy one never had this call.
            await end(id, reason: action == "busy" ? "the other device is busy" : "rejected by the other device",
                      releasingMedia: action == "busy")
        case "hangup":
            guard let c = calls[id], c.peer == peer else { return }
            await end(id, reason: "hung up by the other device", releasingMedia: false)
        default:
            break
        }
    }

    /// An Opus packet from `peer`.
    func audioPacket(_ packet: RTPPacket, from peer: String) async {
        guard let audio = activeCall(with: peer)?.audio else { return }
        await audio.receive(packet)
    }

    /// Sends DTMF digits in an active call (the one `request.call` names, or the only one).
    func sendDTMF(_ request: DTMFRequest) async throws(DaemonError) {
        guard let c = try await pick(request.call, phases: nil, command: "dtmf <digits> --call") else { throw Self.noCall() }
        guard c.phase == .active, let audio = c.audio else {
            throw .conflict("the call with \(c.name) is \(c.phase.rawValue), not active", hint: "DTMF needs an answered call")
        }
        try await audio.insertDTMF(request.digits, duration: request.durationMilliseconds ?? 100, gap: request.gapMilliseconds ?? 70)
        logger.info("sending DTMF \(request.digits)", metadata: ["device": "\(c.peer)", "call": "\(c.id)"])
    }

    /// A telephone-event packet from `peer`: completed digits become `call-dtmf` events.
    func telephoneEvent(_ packet: RTPPacket, from peer: String) async {
        guard let c = activeCall(with: peer), let audio = c.audio else { return }
        let digits = await audio.receiveTelephoneEvent(packet)
        guard !digits.isEmpty, calls[c.id] != nil else { return }
        for d in digits {
            calls[c.id]?.dtmfReceived.append(d.tone)
            logger.info("DTMF \(d.tone) received (\(d.duration))", metadata: ["device": "\(peer)", "call": "\(c.id)"])
            publish("call-dtmf", peer, String(d.tone))
        }
    }

    /// `session` closed: a call on it ends.
    func sessionClosed(_ session: PeerSession) async {
        for c in calls.values where c.session === session {
            await end(c.id, reason: "the connection to the other device was lost", releasingMedia: false)
        }
    }

    /// True while a call on `session` needs its audio m-line.
    func usesAudio(_ session: PeerSession) -> Bool {
        calls.values.contains { $0.session === session && !$0.ending }
    }

    // MARK: Helpers

    private func activeCall(with peer: String) -> Call? {
        calls.values.first { $0.peer == peer && $0.audio != nil }
    }

    /// The call `target` names (its id, or its device's name, ID or ID prefix), or without a
    /// target the only call in `phases` (nil: any phase); nil when there is none. Several
    /// candidates without a target are an error that lists them; `command` (the `syncctl call`
    /// subcommand, before the call's name) goes into its hint.
    private func pick(_ target: String?, phases: Set<Phase>?, command: String) async throws(DaemonError) -> Call? {
        let fits = calls.values.filter { phases?.contains($0.phase) ?? true }.sorted { $0.since < $1.since }
        if let target {
            if let c = calls[target] ?? fits.first(where: { $0.id == target }) {
                guard phases?.contains(c.phase) ?? true else { throw Self.wrongPhase(c) }
                return c
            }
            let (peer, name) = try await daemon.resolveDevice(target)
            guard let c = calls.values.first(where: { $0.peer == peer }) else {
                throw .conflict("no call with \(name)", hint: "see `syncctl call status` for the calls in progress")
            }
            guard phases?.contains(c.phase) ?? true else { throw Self.wrongPhase(c) }
            return c
        }
        guard fits.count <= 1 else {
            let names = fits.map { "\($0.name) (\($0.phase.rawValue), call \($0.id))" }.joined(separator: ", ")
            throw .conflict("\(fits.count) calls could be meant: \(names)",
                            hint: "name one by its device or call id, e.g. `syncctl call \(command) \(fits[0].name)`")
        }
        if fits.isEmpty, phases != nil, let c = calls.values.first, calls.count == 1 { throw Self.wrongPhase(c) }
        return fits.first
    }

    /// Ends call `id`: stops its audio (writing the output file), then drops it. The side that
    /// ends a call releases the connection's audio transceiver (when no call uses it any more);
    /// `releasingMedia` is false when the other side ended it (its offer stops the m-line) or when
    /// a call that replaces this one keeps it.
    private func end(_ id: String, reason: String, releasingMedia: Bool = true) async {
        guard var c = calls[id], !c.ending else { return }
        c.ending = true
        calls[id] = c
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
        calls[id] = nil
        lastEnded = why
        lastEndedByPeer[c.peer] = why
        logger.info("call with \(c.name) ended: \(why)", metadata: ["device": "\(c.peer)", "call": "\(id)"])
        publish("call-ended", c.peer, why)
        if releasingMedia, !calls.values.contains(where: { $0.session === c.session }) { await c.session.releaseMedia(.audio) }
    }

    private func publish(_ type: String, _ device: String, _ message: String) {
        daemon.events.publish(ControlEvent(time: Date().timeIntervalSince1970, type: type, device: device, message: message))
    }

    static func noCall() -> DaemonError {
        .conflict("no call in progress", hint: "start one with `syncctl call <device>`")
    }

    static func notRinging(_ call: Call?) -> DaemonError {
        guard let call else { return .conflict("no call is ringing on this device", hint: "see `syncctl call status`") }
        return wrongPhase(call)
    }

    static func wrongPhase(_ call: Call) -> DaemonError {
        .conflict("the call with \(call.name) is \(call.phase.rawValue), not ringing on this device",
                  hint: call.phase == .active ? "hang up with `syncctl call hangup \(call.name)`"
                      : "wait for the other device to answer, or `syncctl call hangup \(call.name)`")
    }

    static func busy(_ call: Call) -> DaemonError {
        .conflict("a call is already active (\(call.phase.rawValue) with \(call.name))",
                  hint: "hang up first: `syncctl call hangup \(call.name)`")
    }

    static func full(_ count: Int, limit: Int) -> DaemonError {
        .conflict("this device already has \(count) call\(count == 1 ? "" : "s"), the most it holds at once (maxCalls \(limit))",
                  hint: "hang one up first (`syncctl call hangup <device>`), or raise maxCalls in the configuration")
    }
}
