import STUN
import WireKit

/// A full ICE agent for one component of one data stream (RFC 8445), with trickle (RFC 8838),
/// consent freshness (RFC 7675) and a TURN client (RFC 8656). Sans-IO.
///
/// Inputs: ``handle(datagram:source:destination:now:)`` for every datagram on one of the
/// agent's sockets, ``handle(timeout:)`` when ``pollTimeout()`` is reached, and API calls
/// (``addLocalInterface(_:)``, ``startGathering(now:)``, ``addRemoteCandidate(_:)``,
/// ``setRemoteCredentials(_:)``, ``send(data:now:)``, ``restart()``, ``close()``).
/// Outputs: ``pollTransmit()``, ``pollEvent()``, ``pollTimeout()``. After every input, drain
/// transmits and events until nil, then re-arm the timer.
///
/// The agent never enumerates interfaces or opens sockets: the driver binds one UDP socket per
/// local address and reports its bound address with ``addLocalInterface(_:)``. Datagrams that
/// are not STUN or TURN (DTLS, SRTP…) come out as ``ICEEvent/data(_:)``.
public final class ICEAgent {
    /// The configuration the agent was made with.
    public let configuration: ICEConfiguration
    /// The current role (may flip once after a role conflict).
    public internal(set) var role: ICERole
    /// The tie-breaker for role conflicts (§7.3.1.1).
    public let tieBreaker: UInt64
    /// The local ICE credentials to signal.
    public internal(set) var localCredentials: ICECredentials
    /// The peer's credentials, once known.
    public internal(set) var remoteCredentials: ICECredentials?
    /// The connection state.
    public internal(set) var connectionState: ICEConnectionState = .new
    /// The gathering state.
    public internal(set) var gatheringState: ICEGatheringState = .new
    /// Counters for statistics and tests.
    public internal(set) var counters = ICECounters()

    var rng: SeededRandom
    /// The latest `now` seen by any input; API calls without a clock schedule work at it.
    var now: Instant = .zero
    /// Increments on every ICE restart; checks of an older generation are ignored.
    var generation = 0
    /// Credentials of the previous generation, answered until the new generation selects a pair.
    var previousLocalCredentials: ICECredentials?

    /// Host sockets reported by the driver, in order.
    var sockets: [TransportAddress] = []
    var gatheringStarted = false
    var locals: [LocalCandidate] = []
    var remotes: [Candidate] = []
    var remoteGatheringComplete = false
    /// `.local` names the owner resolved.
    var resolvedNames: [String: IPAddress] = [:]
    var checklist: Checklist
    var transactions: [STUNTransactionID: PendingTransaction] = [:]
    var selected: SelectedPair?
    var allocations: [TURNAllocation] = []

    var nextCheckAt: Instant?
    var nominationAt: Instant?
    var checkingSince: Instant?
    /// Since when every pair has failed with nothing left to learn (see `failureGrace`).
    var allFailedSince: Instant?

    var transmits = FIFO<Transmit>()
    var events = FIFO<ICEEvent>()

    /// Creates an agent. Nothing is sent until interfaces are added and gathering starts.
    public init(configuration: ICEConfiguration) {
        self.configuration = configuration
        var rng = SeededRandom(seed: configuration.seed)
        role = configuration.role
        tieBreaker = rng.next()
        localCredentials = configuration.localCredentials ?? .random(using: &rng)
        self.rng = rng
        checklist = Checklist(maxPairs: configuration.maxPairs)
    }

    // MARK: Getters

    /// The local candidates gathered so far (what was signalled).
    public var localCandidates: [Candidate] { locals.map(\.candidate).filter { isAllowed($0) && $0.type != .peerReflexive } }
    /// The remote candidates known so far, peer-reflexive ones included.
    public var remoteCandidates: [Candidate] { remotes }
    /// The checklist's pairs, highest priority first.
    public var pairs: [CandidatePair] { checklist.pairs }
    /// The pair data is sent on, if any.
    public var selectedPair: CandidatePair? { selected?.pair }

    // MARK: Output

    /// The next datagram to send, or nil.
    public func pollTransmit() -> Transmit? { transmits.pop() }

    /// The next event, or nil.
    public func pollEvent() -> ICEEvent? { events.pop() }

    /// When ``handle(timeout:)`` must be called next, or nil when nothing is scheduled.
    public func pollTimeout() -> Instant? {
        guard connectionState != .closed else { return nil }
        var earliest: Instant?
        func consider(_ t: Instant?) { if let t, earliest.map({ t < $0 }) ?? true { earliest = t } }
        consider(nextCheckAt)
        consider(nominationAt)
        for t in transactions.values { consider(t.transaction.pollTimeout()) }
        if let s = selected, connectionState != .failed {
            consider(s.nextConsentCheck)
            consider(s.lastConsent + (connectionState == .disconnected ? configuration.consentExpiry : configuration.disconnectedTimeout))
        }
        if selected == nil, let since = checkingSince, connectionState == .checking { consider(since + configuration.checkingTimeout) }
        if selected == nil, let since = allFailedSince, connectionState == .checking { consider(since + configuration.failureGrace) }
        for a in allocations { consider(a.nextTimer) }
        return earliest
    }

    // MARK: Helpers shared by the facets

    func emit(_ event: ICEEvent) { events.push(event) }

    func setConnectionState(_ state: ICEConnectionState) {
        guard state != connectionState, connectionState != .closed else { return }
        connectionState = state
        emit(.connectionStateChanged(state))
    }

    func setGatheringState(_ state: ICEGatheringState) {
        guard state != gatheringState else { return }
        gatheringState = state
        emit(.gatheringStateChanged(state))
    }

    /// True when `policy` allows using or signalling `candidate`.
    func isAllowed(_ candidate: Candidate) -> Bool {
        configuration.transportPolicy == .all || candidate.type == .relayed
    }

    /// Queues `payload` from `route` to `destination` (wrapping it for TURN when relayed).
    func send(_ payload: [UInt8], route: SendRoute, to destination: TransportAddress) {
        switch route {
        case .direct(let socket):
            transmits.push(Transmit(source: socket, destination: destination, payload: payload))
        case .relay(let index):
            guard allocations.indices.contains(index), let t = allocations[index].wrap(payload, to: destination, rng: &rng) else { return }
            transmits.push(t)
        }
    }

    /// Starts a client transaction and sends its first transmission.
    func startTransaction(_ message: STUNMessage, key: STUNIntegrityKey?, purpose: PendingTransaction.Purpose,
                          route: SendRoute, destination: TransportAddress, responseKey: STUNIntegrityKey?,
                          parameters: STUNClientTransaction.Parameters? = nil) {
        let bytes = message.encode(key: key, fingerprint: true)
        let r = configuration.checkRetransmission
        var t = STUNClientTransaction(id: message.transactionID, request: bytes, parameters: parameters ?? .init(
            initialRTO: r.initialRTO, maxTransmissions: r.maxTransmissions, finalWaitMultiplier: r.finalWaitMultiplier, maxRTO: r.maxRTO))
        t.start(now: now)
        transactions[message.transactionID] = PendingTransaction(purpose: purpose, transaction: t, route: route,
                                                                 destination: destination, responseKey: responseKey)
        send(bytes, route: route, to: destination)
    }

    /// The index of the local candidate that receives on `route`.
    func localIndex(for route: SendRoute) -> Int? {
        switch route {
        case .direct(let socket):
            return locals.firstIndex { $0.route == route && $0.candidate.type == .host && $0.candidate.address == socket }
        case .relay:
            return locals.firstIndex { $0.route == route && $0.candidate.type == .relayed }
        }
    }
}
