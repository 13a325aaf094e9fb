import DTLS
import Foundation
import Logging
import PeerConnection
import RTCDriver
import Signaling
import WireKit

/// syncd's networking: the rendezvous session (a reconnecting ``SignalingClient`` that
/// authenticates with the device key) and one ``PeerSession`` per paired device that is online.
///
/// - Presence: it subscribes to every paired device; when one comes online and no connection
///   exists, the side with the smaller device ID sends an offer, the other a `hello` asking for one.
/// - Signals from devices that are not paired are refused (logged once per device).
/// - Offers and answers must carry the paired device ID as DTLS fingerprint, and the DTLS
///   certificate is checked again once connected (``PeerVerification``).
/// - A connection that fails, closes, or stays stuck is dropped and retried with backoff while the
///   peer is online; a rendezvous restart is survived by the client's reconnection and presence.
public actor PeerTransport {
    let daemon: SyncDaemon
    let logger: Logger
    let client: SignalingClient
    let ice: ICESettings
    let localID: String
    let rendezvousURL: String
    private var sessions: [String: PeerSession] = [:]
    private var starting: Set<String> = []
    private var connected: Set<String> = []
    private var online: Set<String> = []
    private var retryAt: [String: Instant] = [:]
    /// Why the last attempt to reach each device failed (cleared when it connects).
    private var problems: [String: String] = [:]
    private var failures: [String: Int] = [:]
    private var lastHello: [String: Instant] = [:]
    private var refusedLogged: Set<String> = []
    /// The last offer each not-yet-paired device sent us (dropped): when we pair with it and ask
    /// for a connection, our `hello` names that session, so the device knows its pending offer
    /// was never taken and offers again at once (instead of waiting out its retry guard).
    private var droppedOffers: [String: String] = [:]
    private var newSessions: AsyncStream<PeerSession>.Continuation?
    private var subscribed: Set<DeviceID> = []
    var pairing = PairingRooms()
    /// The voice call (at most one, with any connected device).
    let calls: CallController
    /// Screen shares (one sent and one received at most).
    let screens: ScreenController

    /// A transport for `daemon`, signaling through `daemon.config.rendezvousURL`.
    public init(daemon: SyncDaemon, logger: Logger) throws(DaemonError) {
        guard let url = daemon.config.rendezvousURL else {
            throw .unavailable("no rendezvous server is configured", hint: "set rendezvousURL in the configuration or PEERSYNC_RENDEZVOUS_URL")
        }
        self.daemon = daemon
        self.logger = logger
        self.rendezvousURL = url
        localID = daemon.deviceID
        ice = ICESettings(config: daemon.config)
        var clientConfig = SignalingClientMachine.Configuration()
        clientConfig.backoff = Backoff(base: .milliseconds(500), maximum: .seconds(10))
        client = SignalingClient(url: url, credential: DeviceIdentityCredential(daemon.identity), configuration: clientConfig, logger: logger)
        calls = CallController(daemon: daemon, logger: logger)
        screens = ScreenController(daemon: daemon, logger: logger)
    }

    /// Runs until cancelled: the signaling client, its events, a half-second housekeeping tick,
    /// and every session's event loop. On the way out every connection is closed.
    public func run() async {
        for s in ice.skipped { logger.warning("ICE server not used: \(s)") }
        let (starts, sink) = AsyncStream<PeerSession>.makeStream()
        newSessions = sink
        await calls.attach(self)
        await screens.attach(self)
        await updateSubscriptions()
        let client = self.client
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask { [weak self] in
                for await event in client.events { await self?.handle(event) }
            }
            group.addTask { [weak self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    await self?.tick()
                }
            }
            for await session in starts { group.addTask { await session.run() } }
            await shutdown()
            group.cancelAll()
        }
    }

    private func shutdown() async {
        newSessions?.finish()
        for s in sessions.values { await s.close(reason: "syncd is stopping") }
        sessions.removeAll()
        await client.stop()
    }

    // MARK: Status and configuration

    /// Connected devices with the candidate type in use and the round-trip time (ms).
    public func linkStatus() async -> [String: (type: String?, rtt: Double?)] {
        var out: [String: (type: String?, rtt: Double?)] = [:]
        for peer in connected {
            guard let s = sessions[peer] else { continue }
            out[peer] = await s.linkInfo()
        }
        return out
    }

    /// The verified connection to `peer`, if there is one.
    func connectedSession(_ peer: String) -> PeerSession? {
        connected.contains(peer) ? sessions[peer] : nil
    }

    /// Why the last connection attempt to each device that is not connected failed.
    public func connectionProblems() -> [String: String] { problems.filter { !connected.contains($0.key) } }

    /// Paired devices or shared folders changed: watch the paired devices, drop connections
    /// to devices no longer paired, and re-announce folders on the others.
    public func configurationChanged() async {
        await updateSubscriptions()
        for (peer, s) in sessions {
            if await daemon.isTrusted(peer) { await s.announceFolders() } else { await s.close(reason: "the device was unpaired") }
        }
    }

    private func updateSubscriptions() async {
        let ids = Set(await daemon.trustedDeviceIDs().compactMap { try? DeviceID(parsing: $0) })
        let stale = subscribed.subtracting(ids)
        if !stale.isEmpty { try? await client.send(.unsubscribe(stale.sorted())) }
        let fresh = ids.subtracting(subscribed)
        if !fresh.isEmpty { try? await client.send(.subscribe(fresh.sorted())) }
        subscribed = ids
        for gone in stale { online.remove(gone.description) }
    }

    // MARK: Signaling events

    private func handle(_ event: SignalingClientEvent) async {
        switch event {
        case .authenticated(let id):
            logger.info("signed in to the rendezvous server", metadata: ["url": "\(rendezvousURL)", "device": "\(id)"])
        case .disconnected(let code, let reason, let again):
            online.removeAll()
            let retry = again.map { "reconnecting in \(String(format: "%.1f", $0.seconds)) s" } ?? "not reconnecting"
            logger.warning("rendezvous connection lost: \(reason)\(code.map { " (\($0))" } ?? ""); \(retry)")
            await pairingDisconnected()
        case .message(let message):
            switch message {
            case .presence(let device, let isOnline):
                let peer = device.description
                if isOnline { online.insert(peer); await peerOnline(peer) } else { online.remove(peer) }
            case .signal(let from, let payload):
                await received(payload, from: from.description)
            case .error(let code, let message, let ref):
                if code == .deviceOffline {
                    logger.debug("signal not delivered: \(ref ?? "?") is offline")
                    if let ref { online.remove(ref) }
                } else if !(await pairingError(code: code, message: message, ref: ref)) {
                    logger.warning("rendezvous server refused a request: \(code.rawValue): \(message)")
                }
            case .roomCreated, .roomJoined, .roomMessage, .roomClosed:
                await pairingMessage(message)
            case .hello, .welcome, .pong:
                break
            }
        }
    }

    private func peerOnline(_ peer: String) async {
        guard sessions[peer] == nil, await daemon.isTrusted(peer) else { return }
        retryAt[peer] = nil
        if isOfferer(peer) { await startOffer(peer) } else { await sendHello(peer) }
    }

    private func received(_ text: String, from peer: String) async {
        guard await daemon.isTrusted(peer) else {
            if refusedLogged.count > 1_000 { refusedLogged.removeAll() }
            if refusedLogged.insert(peer).inserted {
                logger.warning("refused a connection attempt from device \(peer): it is not paired with this device")
            }
            if let p = SignalPayload(decoding: text), p.kind == "offer", let session = p.session, session.utf8.count <= 64 {
                if droppedOffers.count >= 1_000 { droppedOffers.removeAll() }
                droppedOffers[peer] = session
            }
            return
        }
        guard let p = SignalPayload(decoding: text) else { logger.debug("ignored a malformed signal from \(peer)"); return }
        online.insert(peer)
        switch p.kind {
        case "hello":
            guard isOfferer(peer) else { return }
            // A hello that crossed our fresh offer is ignored; one naming that offer as dropped
            // (the peer had not paired with us yet) is answered with a new offer at once.
            if let s = sessions[peer], Instant.monotonicNow() - s.startedAt < .seconds(3), p.session != s.sessionID { return }
            await startOffer(peer)
        case "offer":
            guard !isOfferer(peer), let sdp = p.sdp, let session = p.session else { return }
            if let reason = PeerVerification.checkDescription(sdp: sdp, expected: peer) {
                logger.error("refused an offer from device \(peer): \(reason)")
                return
            }
            await startAnswer(peer, session: session, offer: sdp)
        case "answer":
            guard let s = sessions[peer], s.sessionID == p.session, let sdp = p.sdp else { return }
            if let reason = PeerVerification.checkDescription(sdp: sdp, expected: peer) {
                logger.error("refused the answer of device \(peer): \(reason)")
                await s.close(reason: "identity check failed")
                return
            }
            do { try await s.apply(answer: sdp) } catch {
                logger.warning("the answer of \(peer) was not usable: \(error)")
                await s.close(reason: "bad answer")
            }
        case "candidate":
            guard let s = sessions[peer], s.sessionID == p.session, let c = p.candidate else { return }
            await s.add(candidate: c)
        default:
            break
        }
    }

    // MARK: Sessions

    func isOfferer(_ peer: String) -> Bool { localID < peer }

    private func makeSession(_ peer: String, id: String, role: PeerSession.Role) async -> PeerSession? {
        guard !starting.contains(peer) else { return nil }
        starting.insert(peer)
        defer { starting.remove(peer) }
        if let old = sessions.removeValue(forKey: peer) {
            connected.remove(peer)
            await old.close(reason: "replaced by a new connection attempt")
        }
        var rng = SystemRandomNumberGenerator()
        let servers = await ice.servers()
        for f in servers.failed { logger.warning("ICE server not used for this connection: \(f)", metadata: ["device": "\(peer)"]) }
        // A max-message-size above the W3C default lets another daemon send each frame whole
        // (``DataChannelLink/messageBytes(peerMaxMessageSize:)``).
        let configuration = PeerConnectionConfiguration(identity: daemon.identity, seed: rng.next(), stunServers: servers.stun, turnServers: servers.turn,
                                                        maxMessageSize: DataChannelLink.advertisedMaxMessageSize)
        do {
            let driver = try await RTCDriver.start(configuration: configuration, interfaces: ice.interfaces, highWaterMark: PeerSession.highWaterMark)
            let s = PeerSession(peerID: peer, sessionID: id, role: role, driver: driver, transport: self, daemon: daemon, logger: logger)
            sessions[peer] = s
            newSessions?.yield(s)
            return s
        } catch {
            logger.error("cannot open a WebRTC connection: \(error)", metadata: ["device": "\(peer)"])
            retryAt[peer] = .monotonicNow() + .seconds(5)
            return nil
        }
    }

    private func startOffer(_ peer: String) async {
        var rng = SystemRandomNumberGenerator()
        let id = String(rng.next(), radix: 36)
        guard let s = await makeSession(peer, id: id, role: .offerer) else { return }
        logger.debug("offering a connection", metadata: ["device": "\(peer)"])
        do {
            let sdp = try await s.makeOffer()
            await signal(peer, SignalPayload(kind: "offer", session: id, sdp: sdp))
            await s.descriptionSent()
        } catch {
            logger.warning("cannot make an offer: \(error)", metadata: ["device": "\(peer)"])
            await s.close(reason: "offer failed")
        }
    }

    private func startAnswer(_ peer: String, session id: String, offer: String) async {
        guard let s = await makeSession(peer, id: id, role: .answerer) else { return }
        do {
            let sdp = try await s.answer(offer: offer)
            await signal(peer, SignalPayload(kind: "answer", session: id, sdp: sdp))
            await s.descriptionSent()
        } catch {
            logger.warning("cannot answer the offer: \(error)", metadata: ["device": "\(peer)"])
            await s.close(reason: "answer failed")
        }
    }

    private func sendHello(_ peer: String) async {
        let now = Instant.monotonicNow()
        if let last = lastHello[peer], now - last < .seconds(3) { return }
        lastHello[peer] = now
        await signal(peer, SignalPayload(kind: "hello", session: droppedOffers.removeValue(forKey: peer)))
    }

    /// Sends a signal to `peer` through the rendezvous server (queued while reconnecting).
    func signal(_ peer: String, _ payload: SignalPayload) async {
        guard let id = try? DeviceID(parsing: peer) else { return }
        do { try await client.send(.signal(to: id, payload: payload.encoded())) } catch {
            logger.debug("signal dropped: \(error)")
        }
    }

    /// A session verified its peer: it is connected.
    func sessionConnected(_ s: PeerSession) async {
        guard sessions[s.peerID] === s else { return }
        connected.insert(s.peerID)
        failures[s.peerID] = 0
        problems[s.peerID] = nil
        await daemon.peerConnected(s.peerID)
    }

    /// A session's connection ended: forget it and plan a retry.
    func sessionEnded(_ s: PeerSession) async {
        guard sessions[s.peerID] === s else { return }
        if let problem = await s.problem {
            problems[s.peerID] = problem
            logger.notice("could not connect: \(problem)", metadata: ["device": "\(s.peerID)"])
        }
        sessions[s.peerID] = nil
        connected.remove(s.peerID)
        let n = failures[s.peerID, default: 0]
        failures[s.peerID] = n + 1
        retryAt[s.peerID] = .monotonicNow() + .milliseconds(min(10_000, 300 << min(n, 6)))
    }

    /// Housekeeping: drops stuck sessions, retries devices that are online and not connected,
    /// expires pairing rooms.
    private func tick() async {
        let now = Instant.monotonicNow()
        for s in sessions.values {
            guard await s.isStuck(now: now) else { continue }
            let state = await s.state
            await s.close(reason: "gave up waiting (the connection was \(state.rawValue))")
        }
        for peer in online where sessions[peer] == nil && !starting.contains(peer) {
            if let t = retryAt[peer], now < t { continue }
            guard await daemon.isTrusted(peer) else { continue }
            retryAt[peer] = now + .seconds(2)
            if isOfferer(peer) { await startOffer(peer) } else { await sendHello(peer) }
        }
        for s in sessions.values { await s.reconcile() }
        await pairingTick(now: now)
    }
}
