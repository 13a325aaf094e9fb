// NetSim demo: a 30-simulated-second bulk transfer between two toy endpoints over a lossy,
// delayed, jittery, rate-capped link; prints the trace summary, virtual vs wall time and
// what was delivered and lost.
// Run: swift run netsim-demo [seed]      (release: swift run -c release netsim-demo)
import NetSim
import WireKit

let seed = CommandLine.arguments.dropFirst().first.flatMap { UInt64($0) } ?? 42
let senderAddress = TransportAddress(ip: .v4(0xC000_0201), port: 5000)    // 192.0.2.1 (simulated)
let receiverAddress = TransportAddress(ip: .v4(0xC000_0202), port: 6000)  // 192.0.2.2 (simulated)

let forward = LinkConditions(delay: .milliseconds(30), jitter: .milliseconds(5), loss: 0.01,
                             burstLoss: GilbertElliott(meanLoss: 0.01, meanBurstLength: 3),
                             rateBitsPerSecond: 8_000_000, queueLimitBytes: 64 * 1024)
let backward = LinkConditions(delay: .milliseconds(40), jitter: .milliseconds(5), loss: 0.01)
let totalPackets = 18_000
let packetSize = 1200

let net = SimNetwork(seed: seed)
let sender = ToySender(local: senderAddress, remote: receiverAddress, totalPackets: totalPackets,
                       packetSize: packetSize, window: 64, retransmitTimeout: .milliseconds(400))
let receiver = ToyReceiver()
net.addHost(sender, addresses: [senderAddress.ip], uplink: forward)
net.addHost(receiver, addresses: [receiverAddress.ip], uplink: backward,
            downlink: LinkConditions(delay: .milliseconds(10)))

print("NetSim demo (seed \(seed)): \(totalPackets) x \(packetSize) B from \(senderAddress) to \(receiverAddress)")
print("  forward: 8 Mbit/s, 64 KiB queue, 30 ms ± 5 ms + 10 ms, 1% random + 1% burst loss (mean burst 3)")
print("  backward: 40 ms ± 5 ms, 1% loss")

let wallStart = Instant.monotonicNow()
do {
    try net.run(for: .seconds(30), maxSteps: 10_000_000)
} catch {
    print("simulation failed: \(error)")
}
let wall = (Instant.monotonicNow() - wallStart).seconds

var counts: [String: Int] = [:]
for entry in net.trace { counts[entry.event.description, default: 0] += 1 }
print("\ntrace: \(net.traceCount) entries recorded, last \(net.trace.count) kept; digest \(String(net.traceDigest, radix: 16))")
for (event, count) in counts.sorted(by: { $0.key < $1.key }) { print("  \(event): \(count) (in the kept window)") }
print("last trace lines:")
for entry in net.traceTail(5) { print("  \(entry)") }

print("\nvirtual time \(net.now.nanoseconds / 1_000_000) ms in wall time \(Int(wall * 1000)) ms (\(Int(30 / max(wall, 1e-9)))x real time)")
print("stats: \(net.stats)")
print("transfer: \(sender.isComplete ? "complete" : "INCOMPLETE"), \(receiver.uniqueReceived)/\(totalPackets) datagrams, "
      + "\(sender.retransmissions) retransmissions, \(receiver.duplicates) duplicates, \(receiver.corrupt) corrupt")
if let done = sender.completedAt {
    let mbps = Double(receiver.goodputBytes) * 8 / done.nanoseconds.secondsDouble / 1e6
    print("finished at \(done.nanoseconds / 1_000_000) ms virtual; goodput \(Int(mbps * 100) / 100) Mbit/s of an 8 Mbit/s link")
}

extension UInt64 {
    var secondsDouble: Double { Double(self) / 1e9 }
}
