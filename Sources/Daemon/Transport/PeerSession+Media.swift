import Foundation
import PeerConnection
import Synchronization
import RTCDriver
import WireKit

/// Media on a live connection: renegotiation over the `control` channel (``MediaSignal``),
/// and the hand-off of call and screen messages and received media to the controllers.
///
/// Only the connection's offerer adds m-lines. It adds a `sendrecv` transceiver of each kind
/// needed when a call or share starts and sends the offer on `control` (the answerer asks for
/// one with `media-need`); the answerer attaches a track to every transceiver the offer created,
/// so the answer is `sendrecv` too. When a call or the last share ends, the side that ended it
/// (either role) stops its transceiver (``releaseMedia(_:)``) and offers: that offer carries the
/// m-line with port 0, and the next call's transceiver recycles it (JSEP §5.2.2). Offers can
/// thus cross; perfect negotiation settles it: the connection's offerer is the impolite peer
/// (it ignores an offer while its own is out), the answerer the polite one (an offer rolls its
/// own back; its answer still rejects the m-lines it stopped, so the stop is never lost). After
/// every exchange, a kind a live call or share still needs but no live transceiver carries (a
/// stop that crossed a new call) is asked for again. The data channels are never touched. What
/// is sent is decided by the call and screen state.
extension PeerSession {
    /// A renegotiation offer not answered within this is replaced by a new one on the next request.
    static let renegotiationTimeout: Duration = .seconds(10)

    /// Makes sure the connection has an m-line of `kind`; renegotiates (or asks the offerer to) if not.
    func ensureMedia(_ kind: MediaKind) async {
        guard verified, !isClosed else { return }
        mediaDemand.ask(kind)
        guard role == .offerer else {
            try? await send(MediaSignal(type: "media-need", kinds: [kind.rawValue]))
            return
        }
        let added = (try? await driver.withConnection { pc -> Bool in
            guard !pc.transceivers.contains(where: { $0.kind == kind && !$0.stopped }) else { return false }
            try pc.addTransceiver(kind, direction: .sendrecv)
            return true
        }) ?? false
        if added { await renegotiate() }
    }

    /// Stops the transceivers of `kind` (the call or share using them ended on this side) and
    /// renegotiates, so their m-line goes to port 0. Either role does it: the side that ends a
    /// call releases its media; the other side's transceiver stops when that offer arrives.
    func releaseMedia(_ kind: MediaKind) async {
        guard verified, !isClosed else { return }
        // A call or share that asks for the kind again before the stop reaches the connection
        // keeps the transceiver (else ensureMedia, still seeing it live, would add none).
        let demand = mediaDemand
        let generation = demand.generation(kind)
        let stopped = (try? await driver.withConnection { pc -> Int in
            guard demand.generation(kind) == generation else { return 0 }
            var n = 0
            for t in pc.transceivers where t.kind == kind && !t.stopped {
                try pc.stopTransceiver(t.handle)
                n += 1
            }
            return n
        }) ?? 0
        guard stopped > 0 else { return }
        logger.debug("\(kind.rawValue) transceiver stopped by this side (the connection's \(role == .offerer ? "offerer" : "answerer"))")
        await renegotiate()
    }

    /// Sends a new offer on `control` (or queues another round while one is out).
    func renegotiate() async {
        guard verified, !isClosed else { return }
        if negotiatingMedia, let sent = negotiationSentAt, Instant.monotonicNow() - sent > Self.renegotiationTimeout {
            logger.warning("no answer to the renegotiation offer after \(Self.renegotiationTimeout): offering again")
            negotiatingMedia = false
        }
        guard !negotiatingMedia else { negotiateAgain = true; return }
        negotiatingMedia = true
        negotiationSentAt = .monotonicNow()
        do {
            let offer = try await driver.setLocalDescription()
            try await send(MediaSignal(type: "sdp", sdpType: "offer", sdp: offer.sdp))
            logger.debug("renegotiation offer sent (m-lines: \(Self.mediaLines(offer.sdp)))")
        } catch {
            negotiatingMedia = false
            logger.warning("renegotiation failed: \(error)")
        }
    }

    /// Sends a call, screen or renegotiation message on `control`.
    func send(_ signal: MediaSignal) async throws(DaemonError) {
        guard verified, !isClosed, let control else {
            throw .conflict("the connection to device \(peerID) is not ready", hint: "wait until `syncctl status` shows it connected")
        }
        do { try await driver.send(text: signal.encoded(), on: control) } catch {
            throw .conflict("the connection to device \(peerID) failed: \(error)", hint: "wait until it reconnects")
        }
    }

    /// A ``MediaSignal`` from the peer.
    func received(_ signal: MediaSignal) async {
        switch signal.type {
        case "sdp":
            guard let sdp = signal.sdp else { return }
            if signal.sdpType == "offer" {
                if role == .offerer, negotiatingMedia {
                    logger.debug("an offer crossed ours: ignored (the other side answers ours)")
                    return
                }
                // The polite side: an offer of ours that is out is rolled back by the peer's.
                negotiatingMedia = false
                await answerRenegotiation(sdp)
                await negotiationSettled()
            } else if signal.sdpType == "answer", negotiatingMedia {
                do { try await driver.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: sdp)) } catch {
                    logger.warning("the renegotiation answer was not usable: \(error)")
                }
                negotiatingMedia = false
                await negotiationSettled()
            }
        case "media-need":
            guard role == .offerer else { return }
            for kind in (signal.kinds ?? []).prefix(4).compactMap(MediaKind.init(rawValue:)) { await ensureMedia(kind) }
        case "call":
            await transport?.calls.received(signal, from: self)
        case "screen":
            await transport?.screens.received(signal, from: self)
        default:
            break
        }
    }

    /// An exchange completed (or an offer of ours was rolled back): a round that was asked for
    /// meanwhile goes out, a transceiver stopped here but not yet rejected is offered again, and a
    /// kind a live call or share needs without a live transceiver is asked for again.
    private func negotiationSettled() async {
        let (pendingStop, live) = (try? await driver.withConnection { pc -> (Bool, Set<MediaKind>) in
            (pc.transceivers.contains { $0.stopped }, Set(pc.transceivers.filter { !$0.stopped }.map(\.kind)))
        }) ?? (false, [])
        if negotiateAgain || pendingStop {
            negotiateAgain = false
            await renegotiate()
        }
        guard let transport else { return }
        var needed: [MediaKind] = []
        if await transport.calls.usesAudio(self) { needed.append(.audio) }
        if await transport.screens.usesVideo(self) { needed.append(.video) }
        for kind in needed where !live.contains(kind) {
            logger.debug("\(kind.rawValue) is in use but its transceiver was stopped: asking for it again")
            await ensureMedia(kind)
        }
    }

    /// Applies a renegotiation offer, attaches a track to each new transceiver, answers.
    private func answerRenegotiation(_ sdp: String) async {
        do {
            try await driver.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: sdp))
            try await driver.withConnection { pc in
                for t in pc.transceivers where t.mid != nil && !t.stopped && t.direction == .recvonly { try pc.addTrack(t.kind) }
            }
            let answer = try await driver.setLocalDescription()
            try await send(MediaSignal(type: "sdp", sdpType: "answer", sdp: answer.sdp))
            logger.debug("renegotiation answered")
        } catch {
            logger.warning("cannot answer the renegotiation offer: \(error)")
        }
    }

    /// The m-lines of `sdp` as `kind:port:mid` (e.g. `application:9:0 audio:0:1`), for the log.
    static func mediaLines(_ sdp: String) -> String {
        var out: [String] = []
        for line in sdp.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("m=") {
                out.append(line.dropFirst(2).split(separator: " ").prefix(2).joined(separator: ":"))
            } else if line.hasPrefix("a=mid:"), let last = out.popLast() {
                out.append(last + ":" + line.dropFirst(6))
            }
        }
        return out.joined(separator: " ")
    }

    /// Received media and media requests go to the call and screen controllers.
    func mediaEvent(_ event: PeerConnectionEvent) async {
        guard verified, let transport else { return }
        switch event {
        case .audioPacket(_, let packet):
            await transport.calls.audioPacket(packet, from: peerID)
        case .telephoneEvent(_, let packet):
            await transport.calls.telephoneEvent(packet, from: peerID)
        case .videoFrame(_, let frame):
            await transport.screens.videoFrame(frame, from: peerID)
        case .keyframeRequested:
            await transport.screens.keyframeRequested(by: peerID)
        default:
            break
        }
    }
}

/// Counts the requests for each media kind on a session, so that stopping a transceiver (on
/// the driver's event loop) can tell whether it was asked for again meanwhile.
final class MediaDemand: Sendable {
    private let counts = Mutex<[MediaKind: Int]>([:])

    /// A call or share asks for `kind`.
    func ask(_ kind: MediaKind) { counts.withLock { $0[kind, default: 0] += 1 } }

    /// How often `kind` was asked for so far.
    func generation(_ kind: MediaKind) -> Int { counts.withLock { $0[kind, default: 0] } }
}
