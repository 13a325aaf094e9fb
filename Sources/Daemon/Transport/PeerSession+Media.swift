import Foundation
import PeerConnection
import RTCDriver
import WireKit

/// Media on a live connection: renegotiation over the `control` channel (``MediaSignal``),
/// and the hand-off of call and screen messages and received media to the controllers.
///
/// Only the offerer makes offers. It adds a `sendrecv` transceiver of each kind needed (once per
/// connection; later calls reuse it) and sends the offer on `control`; the answerer attaches a
/// track to every transceiver the offer created, so the answer is `sendrecv` too. What is sent
/// is decided by the call and screen state, not by the SDP.
extension PeerSession {
    /// A renegotiation offer not answered within this is replaced by a new one on the next request.
    static let renegotiationTimeout: Duration = .seconds(10)

    /// Makes sure the connection has an m-line of `kind`; renegotiates (or asks the offerer to) if not.
    func ensureMedia(_ kind: MediaKind) async {
        guard verified, !isClosed else { return }
        guard role == .offerer else {
            try? await send(MediaSignal(type: "media-need", kinds: [kind.rawValue]))
            return
        }
        let added = (try? await driver.withConnection { pc -> Bool in
            guard !pc.transceivers.contains(where: { $0.kind == kind }) else { return false }
            try pc.addTransceiver(kind, direction: .sendrecv)
            return true
        }) ?? false
        if added { await renegotiate() }
    }

    /// Offerer: sends a new offer on `control` (or queues another round while one is out).
    func renegotiate() async {
        guard role == .offerer, verified, !isClosed else { return }
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
            logger.debug("renegotiation offer sent")
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
            if signal.sdpType == "offer", role == .answerer {
                await answerRenegotiation(sdp)
            } else if signal.sdpType == "answer", role == .offerer, negotiatingMedia {
                do { try await driver.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: sdp)) } catch {
                    logger.warning("the renegotiation answer was not usable: \(error)")
                }
                negotiatingMedia = false
                if negotiateAgain {
                    negotiateAgain = false
                    await renegotiate()
                }
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

    /// Answerer: applies a renegotiation offer, attaches a track to each new transceiver, answers.
    private func answerRenegotiation(_ sdp: String) async {
        do {
            try await driver.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: sdp))
            try await driver.withConnection { pc in
                for t in pc.transceivers where t.mid != nil && t.direction == .recvonly { try pc.addTrack(t.kind) }
            }
            let answer = try await driver.setLocalDescription()
            try await send(MediaSignal(type: "sdp", sdpType: "answer", sdp: answer.sdp))
            logger.debug("renegotiation answered")
        } catch {
            logger.warning("cannot answer the renegotiation offer: \(error)")
        }
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
