import NetSim
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// An ``SCTPAssociation`` as a NetSim host (``DirectUDPHost``): received messages are kept
/// apart from the other events.
final class SCTPHost: DirectUDPHost<SCTPAssociation> {
    var received: [SCTPMessage] = []

    override func record(_ event: SCTPEvent) {
        if case .message(let m) = event { received.append(m) } else { events.append(event) }
    }
}

/// The same transfers on the shared NetSim network simulator.
@Suite struct NetSimTransferTests {
    @Test("every message arrives in order over NetSim with loss, jitter, duplication and a rate cap",
          arguments: [UInt64(1), 2, 3])
    func lossyTransfer(seed: UInt64) throws {
        let net = SimNetwork(seed: seed)
        let addrA = TransportAddress(ip: IPAddress.v4(0x0A00_0001), port: 5000)
        let addrB = TransportAddress(ip: IPAddress.v4(0x0A00_0002), port: 5000)
        var ca = SCTPConfiguration(); ca.randomSeed = seed
        var cb = SCTPConfiguration(); cb.randomSeed = seed + 100
        let a = SCTPHost(SCTPAssociation(configuration: ca), local: addrA, remote: addrB)
        let b = SCTPHost(SCTPAssociation(configuration: cb), local: addrB, remote: addrA)
        var link = NetSim.LinkConditions(delay: .milliseconds(20), jitter: .milliseconds(3), loss: 0.03, duplicate: 0.01)
        link.rateBitsPerSecond = 20_000_000
        _ = net.addHost(a, addresses: [addrA.ip], uplink: link, downlink: link)
        _ = net.addHost(b, addresses: [addrB.ip], uplink: link, downlink: link)
        try a.core.connect(now: net.now)
        try net.run(maxTime: .seconds(10)) { a.core.isEstablished && b.core.isEstablished }
        let count = 200
        var sent = 0
        func fill() throws {
            while sent < count, a.core.bufferedAmount(stream: 0) < 256 * 1024 {
                try a.core.send(stream: 0, ppid: 53, message: TransferScenario.payload(index: sent, size: 1 + (sent * 7919) % 20_000), now: net.now)
                sent += 1
            }
        }
        try fill()
        try net.run(maxTime: .seconds(120)) {
            try? fill()
            return b.received.count == count
        }
        #expect(b.received.count == count, "seed \(seed)")
        for (i, m) in b.received.enumerated() {
            #expect(TransferScenario.check(m.payload, expectedIndex: i) == i, "seed \(seed): message \(i)")
        }
    }
}
