import DataChannel
import DTLS
import ICE
import ICETestSupport
import NetSim
import PeerConnection
import Testing
import WireKit

/// Test support: a ``PeerConnection`` on NetSim, with zero-delay signaling to a peer endpoint
/// (descriptions are handed over by the test, candidates trickle on their own), and a record
/// of every event.
final class PCEndpoint: SimulatedEndpoint {
    let pc: PeerConnection
    let name: String
    weak var peer: PCEndpoint?
    private(set) var events: [PeerConnectionEvent] = []
    private(set) var received: [DataChannelHandle: [DataChannelMessage]] = [:]
    private(set) var opened: [DataChannelHandle] = []
    private(set) var closed: [DataChannelHandle] = []
    private(set) var remoteChannels: [DataChannelHandle] = []
    /// Candidates waiting until the peer has a remote description.
    private var pendingCandidates: [ICECandidateInit?] = []
    /// Called for each event as it is drained (tests react here, e.g. perfect negotiation).
    var onEvent: ((PCEndpoint, PeerConnectionEvent) -> Void)?
    var now: Instant = .zero

    init(_ name: String, seed: UInt64, address: TransportAddress, identity: DeviceIdentity, pathMTUDiscovery: Bool = true,
         turnServers: [TURNServer] = [], iceTransportPolicy: ICETransportPolicy = .all) {
        self.name = name
        pc = PeerConnection(configuration: PeerConnectionConfiguration(identity: identity, seed: seed, turnServers: turnServers,
                                                                       iceTransportPolicy: iceTransportPolicy,
                                                                       pathMTUDiscovery: pathMTUDiscovery))
        pc.addLocalInterface(address)
    }

    var isConnected: Bool { pc.connectionState == .connected }

    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        self.now = now
        pc.handle(datagram: datagram, source: source, destination: destination, now: now)
        drain()
    }

    func handle(timeout now: Instant) {
        self.now = now
        pc.handle(timeout: now)
        drain()
    }

    /// Datagrams that came out of ``PeerConnection/pollSealedTransmit(_:)`` (when the
    /// connection's `sealsDirectly` is set, as the RTC driver sets it).
    private(set) var sealedTransmits = 0

    func pollTransmit() -> Transmit? {
        drain()
        if let t = pc.pollTransmit() { return t }
        var sealed: Transmit?
        let polled = pc.pollSealedTransmit { source, destination, length, seal in
            var bytes = [UInt8](repeating: 0, count: length)
            guard bytes.withUnsafeMutableBytes({ seal($0) }) == length else { return }
            sealed = Transmit(source: source, destination: destination, payload: bytes)
        }
        guard let sealed else { return polled ? pc.pollTransmit() : nil }
        sealedTransmits += 1
        return sealed
    }
    func pollTimeout() -> Instant? { drain(); return pc.pollTimeout() }

    /// Drains events into the records and delivers queued candidates.
    func drain() {
        while let event = pc.pollEvent() {
            events.append(event)
            switch event {
            case .iceCandidate(let c): pendingCandidates.append(c)
            case .message(let h, let m): received[h, default: []].append(m)
            case .open(let h): opened.append(h)
            case .close(let h): closed.append(h)
            case .dataChannel(let h): remoteChannels.append(h)
            default: break
            }
            onEvent?(self, event)
        }
        if let peer, peer.pc.remoteDescription != nil, !pendingCandidates.isEmpty {
            let batch = pendingCandidates
            pendingCandidates.removeAll()
            for c in batch { try? peer.pc.addIceCandidate(c) }
        }
    }

    /// Offer from self, answer from `peer`, both applied; `rewrite` edits each SDP in transit.
    func negotiate(rewrite: (String) -> String = { $0 }) throws {
        guard let peer else { return }
        var offer = try pc.setLocalDescription()
        offer.sdp = rewrite(offer.sdp)
        try peer.pc.setRemoteDescription(offer)
        var answer = try peer.pc.setLocalDescription()
        answer.sdp = rewrite(answer.sdp)
        try pc.setRemoteDescription(answer)
        drain()
        peer.drain()
    }

    static func link(_ a: PCEndpoint, _ b: PCEndpoint) {
        a.peer = b
        b.peer = a
    }

    func messages(_ h: DataChannelHandle) -> [DataChannelMessage] { received[h] ?? [] }
    var allReceivedBytes: Int { received.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.data.count } } }
}

/// Two connections on one simulated network, with addresses and identities set up.
struct PCPair {
    let net: SimNetwork
    let a: PCEndpoint
    let b: PCEndpoint
    let seed: UInt64

    static let identityA = try! DeviceIdentity.generate(commonName: "a")
    static let identityB = try! DeviceIdentity.generate(commonName: "b")

    static let turnAddress = TransportAddress("203.0.113.2:3478")!
    static let relayIP = IPAddress("203.0.113.3")!

    /// With `turnPolicy`, a ``TestTURNServer`` joins the network and both connections use it
    /// with that ICE transport policy (`.relay`: only relayed pairs).
    init(seed: UInt64, link: LinkConditions = LinkConditions(delay: .milliseconds(10)), pathMTUDiscovery: Bool = true,
         turnPolicy: ICETransportPolicy? = nil) {
        self.seed = seed
        net = SimNetwork(seed: seed)
        var servers: [TURNServer] = []
        if turnPolicy != nil {
            let turn = TestTURNServer(listen: Self.turnAddress, relayIP: Self.relayIP, users: ["test": "secret"])
            net.addHost(turn, addresses: [Self.turnAddress.ip, Self.relayIP])
            servers = [TURNServer(address: Self.turnAddress, username: "test", password: "secret")]
        }
        a = PCEndpoint("A", seed: seed &* 31 &+ 1, address: TransportAddress("198.51.100.1:5000")!, identity: Self.identityA,
                       pathMTUDiscovery: pathMTUDiscovery, turnServers: servers, iceTransportPolicy: turnPolicy ?? .all)
        b = PCEndpoint("B", seed: seed &* 31 &+ 2, address: TransportAddress("198.51.100.2:6000")!, identity: Self.identityB,
                       pathMTUDiscovery: pathMTUDiscovery, turnServers: servers, iceTransportPolicy: turnPolicy ?? .all)
        let downlink = LinkConditions(mtu: link.mtu)  // perfect, but as narrow as the uplink
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: link, downlink: downlink)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: link, downlink: downlink)
        PCEndpoint.link(a, b)
    }

    /// Sends `count` seeded random messages of `size` bytes from A on `dc`, runs until B's
    /// first remote channel has them all and checks them, in order.
    func sendAndCheck(count: Int, size: Int, on dc: DataChannelHandle) throws {
        var sent: [[UInt8]] = []
        var rng = SeededRandom(seed: seed)
        for i in 0..<count {
            var message = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)
            for j in stride(from: 0, to: message.count, by: 8) { message[j] = UInt8(truncatingIfNeeded: rng.next()) }
            sent.append(message)
            try a.pc.send(message, on: dc)
        }
        let remote = try #require(b.remoteChannels.first)
        try run(maxTime: .seconds(60)) { b.messages(remote).count == sent.count }
        #expect(b.messages(remote).map(\.data) == sent, "seed \(seed)")
    }

    /// Creates a channel on A, negotiates, and runs until both sides have it open.
    func openChannel(_ label: String, rewrite: (String) -> String = { $0 }) throws -> DataChannelHandle {
        let dc = try a.pc.createDataChannel(label)
        try a.negotiate(rewrite: rewrite)
        try run { a.opened.contains(dc) && !b.opened.isEmpty }
        return dc
    }

    /// Sets both hosts' uplinks (e.g. to a lossy link once connected).
    func setUplinks(_ c: LinkConditions) {
        for h in net.hostIDs where net.endpoint(h) === a || net.endpoint(h) === b { net.setUplink(h, c) }
    }

    /// Runs until `done`, bounded in virtual time.
    func run(maxTime: Duration = .seconds(30), until done: () -> Bool) throws {
        try net.run(maxTime: maxTime) { a.drain(); b.drain(); return done() }
    }
}
