import ICE
import NetSim
import STUN
import WireKit

/// Test support: adapts an ``ICEAgent`` to NetSim's `SimulatedEndpoint`, records its events,
/// and trickles its candidates to a peer endpoint (zero-delay signaling).
final class AgentEndpoint: SimulatedEndpoint {
    let agent: ICEAgent
    let name: String
    weak var peer: AgentEndpoint?
    /// When false, gathered candidates are kept back (the test signals them itself).
    var trickle = true
    private(set) var states: [(Instant, ICEConnectionState)] = []
    private(set) var gathered: [Candidate] = []
    private(set) var received: [[UInt8]] = []
    private(set) var selections: [(Candidate, Candidate)] = []
    private(set) var errors: [ICEError] = []
    private(set) var debugMessages: [String] = []
    private(set) var gatheringComplete = false
    var now: Instant = .zero

    init(_ name: String, _ configuration: ICEConfiguration) {
        self.name = name
        self.agent = ICEAgent(configuration: configuration)
    }

    var state: ICEConnectionState { agent.connectionState }
    var isConnected: Bool { state == .connected || state == .completed }

    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        self.now = now
        agent.handle(datagram: datagram, source: source, destination: destination, now: now)
        pump()
    }

    func handle(timeout now: Instant) {
        self.now = now
        agent.handle(timeout: now)
        pump()
    }

    func pollTransmit() -> Transmit? { pump(); return agent.pollTransmit() }
    func pollTimeout() -> Instant? { pump(); return agent.pollTimeout() }

    /// Drains the agent's events into the records and the peer.
    func pump() {
        while let event = agent.pollEvent() {
            switch event {
            case .candidateGathered(let c):
                gathered.append(c)
                if trickle { peer?.agent.addRemoteCandidate(c) }
            case .gatheringStateChanged(let s): gatheringComplete = s == .complete
            case .connectionStateChanged(let s): states.append((now, s))
            case .selectedPairChanged(let l, let r): selections.append((l, r))
            case .roleChanged: break
            case .data(let d): received.append(d)
            case .serverError(let e): errors.append(e)
            case .debug(let m): debugMessages.append(m)
            }
        }
    }

    /// Exchanges credentials with `other` and links them for trickling.
    static func link(_ a: AgentEndpoint, _ b: AgentEndpoint) {
        a.peer = b
        b.peer = a
        a.agent.setRemoteCredentials(b.agent.localCredentials)
        b.agent.setRemoteCredentials(a.agent.localCredentials)
    }

    /// The time the agent first reached `state`, if it did.
    func firstTime(_ state: ICEConnectionState) -> Instant? { states.first { $0.1 == state }?.0 }
}

/// Common set-up for two agents over NetSim.
enum ICEScenario {
    static func configuration(_ role: ICERole, seed: UInt64, stun: [TransportAddress] = [], turn: [TURNServer] = [],
                              policy: ICETransportPolicy = .all) -> ICEConfiguration {
        ICEConfiguration(role: role, stunServers: stun, turnServers: turn, transportPolicy: policy, seed: seed)
    }

    static func start(_ endpoints: AgentEndpoint...) {
        for e in endpoints { e.agent.startGathering(now: e.now); e.pump() }
    }
}
