import DataChannel
import Foundation
import Logging
import PeerConnection
import RTCDriver
import WireKit

/// One WebRTC connection to one paired device: an ``RTCDriver`` (one UDP socket per local
/// address), a `control` channel on which each side announces the folders it shares with the
/// other, and one `sync/<folder>` channel per folder both sides share, each handed to the
/// daemon as a ``DataChannelLink``.
///
/// The side with the smaller device ID offers and creates every channel; the other answers.
/// Nothing is handed to the daemon until the DTLS peer certificate is checked against the
/// paired device ID (``PeerVerification``).
actor PeerSession {
    /// Which end of the offer/answer exchange this is.
    enum Role: String, Sendable { case offerer, answerer }

    /// The paired device at the other end.
    let peerID: String
    /// The exchange's tag (chosen by the offerer, carried in every signal).
    let sessionID: String
    /// This side's role.
    let role: Role
    /// The connection.
    let driver: RTCDriver
    /// When the session started.
    let startedAt = Instant.monotonicNow()
    weak var transport: PeerTransport?
    private let daemon: SyncDaemon
    let logger: Logger
    private(set) var state: PeerConnectionState = .new
    private var stateSince = Instant.monotonicNow()
    private(set) var verified = false
    private(set) var isClosed = false
    var control: DataChannelHandle?
    private var folderChannels: [String: DataChannelHandle] = [:]
    private var folderOfChannel: [DataChannelHandle: String] = [:]
    private var remoteFolders: Set<String>?
    private var readers: [Task<Void, Never>] = []
    private var descriptionWasSent = false
    private var reconciling = false
    /// The reason given when the session closed.
    private var closeReason: String?
    /// The last ``linkInfo()`` answer and when it was made.
    private var linkInfoCache: (at: Instant, value: (type: String?, rtt: Double?))?
    /// What STUN/TURN servers reported (`icecandidateerror`), at most eight distinct lines.
    private var serverErrors: [String] = []
    private var heldCandidates: [SignalPayload] = []
    /// A renegotiation offer of ours is out; ``PeerSession/renegotiate()`` waits for its answer.
    var negotiatingMedia = false
    /// Another renegotiation was asked for while one was out.
    var negotiateAgain = false
    /// When the renegotiation offer that is out was sent.
    var negotiationSentAt: Instant?
    /// How often each media kind was asked for (``ensureMedia(_:)``), read by ``releaseMedia(_:)``.
    let mediaDemand = MediaDemand()

    /// `bufferedAmount` above which a folder's `send` waits, and the low threshold that wakes it.
    static let highWaterMark = 4 << 20
    static let lowThreshold = 1 << 20
    /// A connection that is not connected after this long is given up (and retried).
    static let connectTimeout: Duration = .seconds(20)
    /// A connection that stays disconnected (no ICE consent) this long is given up.
    static let disconnectedTimeout: Duration = .seconds(10)

    init(peerID: String, sessionID: String, role: Role, driver: RTCDriver, transport: PeerTransport, daemon: SyncDaemon, logger: Logger) {
        self.peerID = peerID
        self.sessionID = sessionID
        self.role = role
        self.driver = driver
        self.transport = transport
        self.daemon = daemon
        var l = logger
        l[metadataKey: "device"] = "\(peerID)"
        self.logger = l
    }

    // MARK: Negotiation

    /// Offerer: creates the control channel and returns the offer to signal.
    func makeOffer() async throws -> String {
        control = try await driver.createDataChannel("control")
        return try await driver.setLocalDescription().sdp
    }

    /// Answerer: applies the offer and returns the answer to signal.
    func answer(offer sdp: String) async throws -> String {
        try await driver.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: sdp))
        return try await driver.setLocalDescription().sdp
    }

    /// Offerer: applies the answer.
    func apply(answer sdp: String) async throws {
        try await driver.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: sdp))
    }

    /// Adds a trickled remote candidate (empty: end of candidates).
    func add(candidate: ICECandidateInit) async {
        do { try await driver.addIceCandidate(candidate.candidate.isEmpty ? nil : candidate) } catch {
            logger.debug("ignored a remote candidate: \(error)")
        }
    }

    /// The offer or answer went out: candidates gathered meanwhile follow it (never before it).
    func descriptionSent() async {
        descriptionWasSent = true
        let held = heldCandidates
        heldCandidates.removeAll()
        for p in held { await transport?.signal(peerID, p) }
    }

    // MARK: Events

    /// Handles the connection's events until it closes; then tells the transport.
    func run() async {
        for await event in driver.events {
            await handle(event)
            if isClosed { break }
        }
        await close(reason: nil)
        await transport?.sessionEnded(self)
    }

    private func handle(_ event: PeerConnectionEvent) async {
        switch event {
        case .iceCandidate(let c):
            let payload = SignalPayload(kind: "candidate", session: sessionID, candidate: c ?? ICECandidateInit(candidate: ""))
            if descriptionWasSent { await transport?.signal(peerID, payload) } else { heldCandidates.append(payload) }
        case .connectionStateChange(let s):
            state = s
            stateSince = .monotonicNow()
            logger.debug("connection \(s.rawValue)")
            switch s {
            case .connected: await verify()
            case .failed: await close(reason: "the connection failed (ICE or DTLS)")
            default: break
            }
        case .iceCandidateError(let url, let code, let text):
            let line = "\(url.isEmpty ? "ICE" : url): \(text) (\(code))"
            if !serverErrors.contains(line) && serverErrors.count < 8 {
                serverErrors.append(line)
                logger.warning("STUN/TURN server problem: \(line)")
            }
        case .selectedCandidatePairChange(let local, let remote):
            logger.debug("selected pair \(local.type.rawValue) \(local.address) -> \(remote.address)")
        case .open(let h):
            await opened(h)
        case .close(let h):
            if let folder = folderOfChannel.removeValue(forKey: h), folderChannels[folder] == h { folderChannels[folder] = nil }
            if h == control { await close(reason: "the peer closed the control channel") }
        case .transportClosed(let reason):
            await close(reason: "the peer closed the connection (\(reason))")
        case .audioPacket, .telephoneEvent, .videoFrame, .keyframeRequested, .track:
            await mediaEvent(event)
        default:
            break
        }
    }

    /// Why this attempt ended before it was connected and verified, with the STUN/TURN
    /// servers' errors (nil when it connected).
    var problem: String? {
        guard !verified else { return nil }
        var text = closeReason ?? "the connection did not come up"
        if !serverErrors.isEmpty {
            text += "; STUN/TURN: " + serverErrors.joined(separator: "; ")
                + " (check that these servers run and that iceServers in syncd's configuration names them)"
        }
        return text
    }

    /// Checks the DTLS peer certificate against the paired device ID; closes on a mismatch.
    private func verify() async {
        guard !verified, !isClosed else { return }
        let der = try? await driver.withConnection { $0.dtlsEndpoint?.remoteCertificateDER }
        if let reason = PeerVerification.checkCertificate(der: der, expected: peerID) {
            logger.error("refused the connection: device \(peerID) did not prove its identity: \(reason)")
            await close(reason: "identity check failed")
            return
        }
        verified = true
        let info = await linkInfo()
        logger.info("connected over WebRTC (\(info.type ?? "?"), rtt \(info.rtt.map { String(format: "%.1f ms", $0) } ?? "?"))")
        await transport?.sessionConnected(self)
    }

    private func opened(_ h: DataChannelHandle) async {
        await verify()
        guard verified, let info = try? await driver.dataChannel(h) else { return }
        if info.label == "control" {
            control = h
            let messages: AsyncStream<DataChannelMessage>
            do { messages = try await driver.messages(h) } catch { return }
            readers.append(Task { [weak self] in
                for await m in messages { await self?.controlMessage(m) }
            })
            await announceFolders()
            return
        }
        guard info.label.hasPrefix("sync/") else {
            logger.info("closing unexpected data channel \(info.label)")
            try? await driver.closeDataChannel(h)
            return
        }
        let folder = String(info.label.dropFirst(5))
        if let old = folderChannels[folder], old != h { try? await driver.closeDataChannel(old) }
        folderChannels[folder] = h
        folderOfChannel[h] = folder
        do {
            try await driver.setFlowControl(h, lowThreshold: Self.lowThreshold, highWaterMark: Self.highWaterMark)
            try await driver.setReceiveFlowControl(h, limit: DataChannelLink.receiveBacklogLimit)
            let peerMaxMessageSize = try await driver.withConnection { $0.maxMessageSize }
            let link = DataChannelLink(peerDeviceID: peerID, driver: driver, handle: h, batches: try await driver.messageBatches(h),
                                       peerMaxMessageSize: peerMaxMessageSize)
            await daemon.attach(link, folderID: folder)
        } catch {
            logger.warning("data channel \(info.label): \(error)")
        }
    }

    // MARK: Control channel

    private struct FolderAnnouncement: Codable { var folders: [String] }

    private func controlMessage(_ m: DataChannelMessage) async {
        if let signal = MediaSignal(decoding: m.data) {
            await received(signal)
            return
        }
        guard m.data.count <= 1 << 16, let a = try? JSONDecoder().decode(FolderAnnouncement.self, from: Data(m.data)) else {
            logger.debug("ignored a malformed control message")
            return
        }
        remoteFolders = Set(a.folders.prefix(10_000))
        await reconcile()
    }

    /// Tells the peer which folders this device shares with it (after open and on every change).
    func announceFolders() async {
        guard verified, !isClosed, let control else { return }
        let folders = await daemon.sharedFolders(with: peerID)
        let text = String(decoding: (try? JSONEncoder().encode(FolderAnnouncement(folders: folders))) ?? Data(), as: UTF8.self)
        do { try await driver.send(text: text, on: control) } catch { logger.debug("control send: \(error)") }
        await reconcile()
    }

    /// Offerer: opens a channel for every folder both sides share that has none.
    func reconcile() async {
        guard role == .offerer, verified, !isClosed, !reconciling, let remote = remoteFolders else { return }
        reconciling = true
        defer { reconciling = false }
        for folder in await daemon.sharedFolders(with: peerID) where remote.contains(folder) && folderChannels[folder] == nil {
            do {
                let h = try await driver.createDataChannel("sync/\(folder)")
                folderChannels[folder] = h
                folderOfChannel[h] = folder
            } catch {
                logger.warning("cannot open a channel for folder \(folder): \(error)")
            }
        }
    }

    // MARK: Status and lifetime

    /// The candidate type of the selected pair (`host`, `srflx`, `relay`, `prflx`) and the RTT in
    /// ms, at most ``linkInfoMaxAge`` old: status is polled (every 100 ms by sync-compare, by
    /// `syncctl watch` and scripts) while a sync runs, and a full `getStats` report on the event
    /// loop for every poll took from the data path.
    func linkInfo() async -> (type: String?, rtt: Double?) {
        let now = Instant.monotonicNow()
        if let cached = linkInfoCache, now - cached.at < Self.linkInfoMaxAge { return cached.value }
        let value = await freshLinkInfo()
        linkInfoCache = (now, value)
        return value
    }

    /// How long ``linkInfo()`` answers from its last `getStats` report.
    static let linkInfoMaxAge: Duration = .seconds(2)

    private func freshLinkInfo() async -> (type: String?, rtt: Double?) {
        guard let stats = try? await driver.getStats(), let t = stats["T01"],
              case .string(let pairID)? = t["selectedCandidatePairId"], let pair = stats[pairID] else { return (nil, nil) }
        var type: String?
        // The pair's type is its more indirect end: relayed if either side relays.
        let rank = ["host": 0, "srflx": 1, "prflx": 1, "relay": 2]
        for key in ["localCandidateId", "remoteCandidateId"] {
            if case .string(let id)? = pair[key], case .string(let t)? = stats[id]?["candidateType"], rank[t, default: 0] >= rank[type ?? "", default: -1] {
                type = t
            }
        }
        var rtt: Double?
        if case .double(let s)? = pair["currentRoundTripTime"] { rtt = s * 1000 }
        if rtt == nil, case .double(let s)? = stats["S01"]?["smoothedRoundTripTime"] { rtt = s * 1000 }
        return (type, rtt)
    }

    /// True when the session has been stuck too long (not connecting, or disconnected).
    func isStuck(now: Instant) -> Bool {
        switch state {
        case .new, .connecting: return now - startedAt > Self.connectTimeout
        case .disconnected: return now - stateSince > Self.disconnectedTimeout
        case .failed, .closed: return true
        case .connected: return false
        }
    }

    /// Closes the connection (DTLS close_notify to the peer) and its links.
    func close(reason: String?) async {
        guard !isClosed else { return }
        isClosed = true
        closeReason = reason
        if let reason { logger.info("connection closed: \(reason)") }
        for r in readers { r.cancel() }
        readers.removeAll()
        await driver.close()
        await transport?.calls.sessionClosed(self)
        await transport?.screens.sessionClosed(self)
    }
}
