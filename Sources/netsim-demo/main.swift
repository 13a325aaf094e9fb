// Runs a simulated transfer over a lossy, delayed, rate-capped link and prints the summary.
// Run: swift run netsim-demo
import NetSim
import WireKit

let net = SimNetwork(seed: 42)
let a = TransportAddress(ip: .v4(0xC000_0201), port: 5000)
let b = TransportAddress(ip: .v4(0xC000_0202), port: 6000)
let sender = ClosureEndpoint(recordsReceived: false, onTimeout: { ep, now in
    ep.send([UInt8](repeating: 7, count: 1200), from: a, to: b)
    ep.timer = now + .milliseconds(5)
})
sender.timer = .zero
let receiver = ClosureEndpoint(recordsReceived: false)
net.addHost(sender, addresses: [a.ip], uplink: LinkConditions(delay: .milliseconds(40), loss: 0.02))
net.addHost(receiver, addresses: [b.ip])
let wallStart = Instant.monotonicNow()
do {
    try net.run(for: .seconds(30))
} catch {
    print(error)
}
print(net.summary)
print("virtual \(net.now) in wall \((Instant.monotonicNow() - wallStart).seconds)s")
