import NIOCore
import PeerConnection

/// A message of perfect negotiation, for the application to carry to the peer's
/// ``PerfectNegotiator/receive(_:)`` over its signaling channel, in order.
public enum NegotiationSignal: Sendable, Hashable {
    /// An offer or an answer.
    case description(SessionDescriptionInit)
    /// A trickled candidate (nil: end of candidates).
    case candidate(ICECandidateInit?)
}

/// The W3C perfect negotiation pattern (docs/perfect-negotiation.md) on an ``RTCDriver``: either
/// side may start a negotiation at any time (a first data channel, `restartIce()`), and offers
/// that cross (glare) resolve without extra signaling: the **impolite** side ignores the
/// peer's colliding offer, the **polite** side rolls its own offer back and answers.
///
/// Use: pass every event of ``RTCDriver/events`` to ``handle(_:)`` (it acts on
/// `negotiationNeeded` and `iceCandidate`), send everything from ``signals`` to the peer, and
/// give what the peer sent to ``receive(_:)``. The two sides must disagree on ``polite``
/// (e.g. compare device IDs).
///
/// Each decision runs in one turn of the connection's event loop, so the browser pattern's
/// `makingOffer` window does not exist here: an offer is created and applied atomically, and a
/// collision is exactly "an offer arrives while not `stable`". A `negotiationNeeded` event that
/// was overtaken by the peer's offer (the event stream is asynchronous) is dropped unless the
/// connection is `stable` and still ``PeerConnection/isNegotiationNeeded``; if the peer's
/// negotiation did not cover the need, the core fires the event again once `stable`.
public final class PerfectNegotiator: Sendable {
    /// Whether this side gives way on glare.
    public let polite: Bool
    /// Descriptions and candidates to send to the peer, in the order they must arrive.
    public let signals: AsyncStream<NegotiationSignal>
    private let driver: RTCDriver
    private let outlet: AsyncStream<NegotiationSignal>.Continuation
    private let state: NIOLoopBoundBox<State>

    /// What happened so far (for logs and tests).
    public struct Counts: Sendable, Equatable {
        /// Offers this side created and signalled.
        public var offers = 0
        /// Answers this side created and signalled.
        public var answers = 0
        /// Colliding offers from the peer that were ignored (impolite side).
        public var ignoredOffers = 0
        /// Own offers rolled back for a colliding offer from the peer (polite side).
        public var rollbacks = 0
    }

    /// Loop-confined mutable state.
    final class State {
        var ignoreOffer = false
        var counts = Counts()
    }

    /// A negotiator for `driver`'s connection.
    public init(driver: RTCDriver, polite: Bool) {
        self.driver = driver
        self.polite = polite
        (signals, outlet) = AsyncStream<NegotiationSignal>.makeStream(bufferingPolicy: .unbounded)
        state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: driver.eventLoop)
    }

    /// Reacts to one driver event: `negotiationNeeded` makes and signals an offer (when still
    /// needed and `stable`), `iceCandidate` is signalled. Other events are ignored.
    public func handle(_ event: PeerConnectionEvent) async throws {
        switch event {
        case .negotiationNeeded:
            let state = self.state, outlet = self.outlet
            try await driver.withConnection { pc in
                guard pc.signalingState == .stable, pc.isNegotiationNeeded else { return }
                let offer = try pc.setLocalDescription()
                state.value.counts.offers += 1
                outlet.yield(.description(offer))
            }
        case .iceCandidate(let candidate):
            outlet.yield(.candidate(candidate))
        default:
            break
        }
    }

    /// Applies a message from the peer: a description (ignored by the impolite side on glare;
    /// an offer is answered, rolling back our own offer first on the polite side) or a
    /// candidate (errors are swallowed while the peer's offer is being ignored).
    public func receive(_ signal: NegotiationSignal) async throws {
        let state = self.state, outlet = self.outlet, polite = self.polite
        switch signal {
        case .description(let description):
            try await driver.withConnection { pc in
                let s = state.value
                let collision = description.type == .offer && pc.signalingState != .stable
                s.ignoreOffer = !polite && collision
                if s.ignoreOffer {
                    s.counts.ignoredOffers += 1
                    return
                }
                if collision { s.counts.rollbacks += 1 }
                try pc.setRemoteDescription(description)  // rolls our offer back on glare
                guard description.type == .offer else { return }
                let answer = try pc.setLocalDescription()
                s.counts.answers += 1
                outlet.yield(.description(answer))
            }
        case .candidate(let candidate):
            try await driver.withConnection { pc in
                do {
                    try pc.addIceCandidate(candidate)
                } catch {
                    if !state.value.ignoreOffer { throw error }
                }
            }
        }
    }

    /// The counts so far.
    public func counts() async throws -> Counts {
        let state = self.state
        return try await driver.eventLoop.submit { state.value.counts }.get()
    }

    /// Ends ``signals``.
    public func finish() { outlet.finish() }
}
