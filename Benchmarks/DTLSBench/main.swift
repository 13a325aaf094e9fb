// Measures the DTLS data path and handshake: two DTLSEndpoints in one process, one core.
// Run: swift run -c release dtls-bench [megabytes]   (default 512 MB per direction)
import DTLS
#if canImport(Glibc)
import Glibc
#endif
import WireKit

func fail(_ message: String) -> Never {
    print("dtls-bench: \(message)")
    exit(1)
}

func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }

/// CPU seconds this thread has used: the machine may be shared, so rates are also given per
/// CPU second, which does not depend on how much of a core the scheduler granted.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let megabytes = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 512
guard let clientIdentity = try? DeviceIdentity.generate(), let serverIdentity = try? DeviceIdentity.generate() else {
    fail("identity generation failed")
}

/// A connected pair; returns nil on failure.
func connectedPair() -> (client: DTLSEndpoint, server: DTLSEndpoint)? {
    guard let client = try? DTLSEndpoint(configuration: DTLSConfiguration(role: .client, identity: clientIdentity, remoteFingerprints: [serverIdentity.fingerprint])),
          let server = try? DTLSEndpoint(configuration: DTLSConfiguration(role: .server, identity: serverIdentity, remoteFingerprints: [clientIdentity.fingerprint]))
    else { return nil }
    let now = Instant.monotonicNow()
    client.start(now: now)
    server.start(now: now)
    for _ in 0..<100 {
        var moved = false
        while let d = client.pollTransmit() { server.handle(datagram: d, now: now); moved = true }
        while let d = server.pollTransmit() { client.handle(datagram: d, now: now); moved = true }
        if client.state == .connected && server.state == .connected { break }
        if !moved { break }
    }
    while client.pollEvent() != nil {}
    while server.pollEvent() != nil {}
    guard client.state == .connected, server.state == .connected else { return nil }
    return (client, server)
}

// Handshake time (full ECDHE-ECDSA handshake, both sides, incl. SSL_CTX setup).
let handshakes = 50
let handshakeStart = Instant.monotonicNow()
let handshakeCPUStart = cpuSeconds()
for _ in 0..<handshakes {
    guard connectedPair() != nil else { fail("handshake failed") }
}
let handshakeMs = (Instant.monotonicNow() - handshakeStart).seconds * 1000 / Double(handshakes)
let handshakeCPUMs = (cpuSeconds() - handshakeCPUStart) * 1000 / Double(handshakes)
print("handshake (client+server, in-process, no network): \(round2(handshakeMs)) ms wall, \(round2(handshakeCPUMs)) ms CPU")

// Data path: `size`-byte records, encrypt on one side and decrypt on the other.
func throughput(size: Int, label: String) {
    guard let (client, server) = connectedPair() else { fail("handshake failed") }
    let record = [UInt8](repeating: 0x5A, count: size)
    let total = megabytes * 1_000_000
    let count = total / size
    var received = 0
    let start = Instant.monotonicNow()
    let cpuStart = cpuSeconds()
    var sent = 0
    while sent < count {
        let batch = min(64, count - sent)
        for _ in 0..<batch {
            do { try client.send(record) } catch { fail("send: \(error)") }
        }
        sent += batch
        let now = Instant.monotonicNow()
        var datagrams: [[UInt8]] = []
        while let d = client.pollTransmit() { datagrams.append(d) }
        server.handle(datagrams: datagrams, now: now)
        while let e = server.pollEvent() {
            if case let .applicationData(d) = e { received += d.count }
        }
    }
    let elapsed = (Instant.monotonicNow() - start).seconds
    let cpu = cpuSeconds() - cpuStart
    guard received == count * size else { fail("received \(received) of \(count * size) bytes") }
    let mbps = Double(received) / elapsed / 1e6
    let cpuMBps = Double(received) / cpu / 1e6
    let pps = Double(count) / cpu
    print("\(label): \(round2(mbps)) MB/s wall, \(round2(cpuMBps)) MB/s per CPU second, encrypt+decrypt (\(Int(pps)) records per CPU second, \(count) records of \(size) bytes, \(client.cipherSuite ?? "?"))")
}

if let (client, _) = connectedPair() {
    print("max application data per 1200-byte datagram: \(client.maximumApplicationDataSize) bytes")
    throughput(size: 1200, label: "1200-byte records")
    throughput(size: client.maximumApplicationDataSize, label: "\(client.maximumApplicationDataSize)-byte records (fill 1200 MTU)")
}
