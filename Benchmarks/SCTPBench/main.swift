// sctp-bench: bulk throughput of two SCTP associations in one process.
//
//   sctp-bench [--bytes N] [--lossy-bytes N] [--message-size N] [--mtu N] [--no-interleaving] [--threads 1|2]
//
// 1. In-memory link (no delay, no loss): N bytes (default 1 GiB) of 64 KiB messages, the
//    sender paced by bufferedAmountLow. Reports MB/s of wall time, CPU-seconds per GB
//    (getrusage, both sides and the link together) and peak RSS.
//    Pass --no-malloc-tuning to keep glibc's default heap trimming (see below). Both sides
//    negotiate I-DATA (RFC 8260) as two PeerSync peers do; --no-interleaving uses plain
//    DATA, as with Chromium and aiortc. Default: both sides and the link on one thread;
//    --threads 2 puts each association on its own thread with a bounded lock-free packet
//    ring each way (TwoThreadTransfer.swift) and reports CPU-seconds per GB per side.
// 2. Simulated 50 ms RTT, 1 % loss link on virtual time: goodput compared with the Mathis
//    TCP-friendly rate MSS/RTT * sqrt(3/2) / sqrt(p).
#if canImport(Glibc)
import Glibc
#endif
import SCTP
import SCTPTestSupport
import WireKit

func argument(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return value
}

/// `x` with `digits` decimals (no Foundation).
func fmt(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let v = (x * scale).rounded() / scale
    if digits == 0 { return String(Int(v)) }
    let whole = Int(v.rounded(.towardZero))
    var frac = String(Int((abs(v - Double(whole)) * scale).rounded()))
    while frac.count < digits { frac = "0" + frac }
    return "\(v < 0 && whole == 0 ? "-" : "")\(whole).\(frac)"
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

struct Outcome {
    var bytes = 0
    var virtualSeconds = 0.0
    var peakReceiveBuffer = 0
    var peakOutstanding = 0
    var retransmissions = 0
    var fastRetransmits = 0
    var t3 = 0
}

/// Runs a paced bulk transfer of `total` bytes in `messageSize` messages from a to b.
func transfer(total: Int, messageSize: Int, mtu: Int, conditions: PairLinkConditions, seed: UInt64) -> Outcome {
    var ca = SCTPConfiguration(); ca.randomSeed = seed; ca.maxPacketSize = mtu
    ca.enableInterleaving = !CommandLine.arguments.contains("--no-interleaving")
    var cb = SCTPConfiguration(); cb.randomSeed = seed + 1; cb.maxPacketSize = mtu
    var pair = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                       ab: conditions, ba: conditions, seed: seed)
    try? pair.a.connect(now: pair.now)
    while !(pair.a.isEstablished && pair.b.isEstablished) {
        guard pair.step() else { fatalError("handshake stalled") }
        while pair.a.pollEvent() != nil {}
        while pair.b.pollEvent() != nil {}
    }
    let start = pair.now
    let message = [UInt8](repeating: 0xAB, count: messageSize)
    let messages = (total + messageSize - 1) / messageSize
    let highWater = 1 << 20, lowWater = 512 << 10
    pair.a.setBufferedAmountLowThreshold(lowWater, stream: 0)
    var sent = 0
    func fill(_ a: inout SCTPAssociation, _ now: Instant) {
        while sent < messages, a.bufferedAmount(stream: 0) < highWater {
            do { try a.send(stream: 0, ppid: 53, message: message, now: now) } catch { fatalError("send: \(error)") }
            sent += 1
        }
    }
    fill(&pair.a, pair.now)
    var out = Outcome()
    var received = 0
    while received < messages {
        guard pair.step() else { fatalError("transfer stalled at \(received) of \(messages)") }
        while let e = pair.a.pollEvent() {
            if case .bufferedAmountLow = e { fill(&pair.a, pair.now) }
        }
        out.peakReceiveBuffer = max(out.peakReceiveBuffer, pair.b.receiveBufferedBytes)
        while let e = pair.b.pollEvent() {
            if case .message(let m) = e { received += 1; out.bytes += m.payload.count }
        }
        out.peakOutstanding = max(out.peakOutstanding, pair.a.outstandingChunkCount)
    }
    out.virtualSeconds = (pair.now - start).seconds
    out.retransmissions = pair.a.statistics.retransmissions
    out.fastRetransmits = pair.a.statistics.fastRetransmits
    out.t3 = pair.a.statistics.t3Expirations
    return out
}

// Every received 64 KiB message is a fresh allocation the application frees right away; with
// glibc's default dynamic thresholds the heap top is trimmed and re-grown each time (brk,
// munmap and ~8 page faults per message, 15 % of the CPU). A long-running daemon sets these
// once; `--no-malloc-tuning` shows the untuned figure. (M_TRIM_THRESHOLD = -1,
// M_MMAP_THRESHOLD = -3 in <malloc.h>; the macros are not importable.)
#if canImport(Glibc)
/// glibc's `mallopt` (declared in <malloc.h>, which the Glibc module does not include).
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

if !CommandLine.arguments.contains("--no-malloc-tuning") {
    _ = mallopt(-3, 4 << 20)
    _ = mallopt(-1, 256 << 20)
}
#endif

let bytes = argument("--bytes", default: 1 << 30)
let lossyBytes = argument("--lossy-bytes", default: 64 << 20)
let messageSize = argument("--message-size", default: 64 << 10)
/// Largest SCTP packet (1200 as in WebRTC; 16000 for the large datagrams rtc-peer can use).
let mtu = argument("--mtu", default: 1200)
print("CRC-32C hardware: \(CRC32C.hardware), packet size \(mtu), message size \(messageSize), "
      + (CommandLine.arguments.contains("--no-interleaving") ? "DATA" : "I-DATA"))

let threads = argument("--threads", default: 1)

if bytes > 0, threads == 2 {
    let interleaving = !CommandLine.arguments.contains("--no-interleaving")
    let r = twoThreadTransfer(total: bytes, messageSize: messageSize, mtu: mtu, interleaving: interleaving, seed: 42)
    let gb = Double(r.receiver.bytes) / 1e9
    print("in-memory, 2 threads: \(r.receiver.bytes) bytes in \(fmt(r.wall, 2)) s wall = \(fmt(Double(r.receiver.bytes) / 1e6 / r.wall, 0)) MB/s wall; "
          + "CPU-s/GB (thread CPU time, idle polling included): sender \(fmt(r.sender.cpuSeconds / gb, 2)), receiver \(fmt(r.receiver.cpuSeconds / gb, 2)); "
          + "busy-s/GB (wall time of loop turns that did work): sender \(fmt(r.sender.busySeconds / gb, 2)), receiver \(fmt(r.receiver.busySeconds / gb, 2)); "
          + "ring-full stalls \(r.sender.stalls + r.receiver.stalls); "
          + "peak RSS \(fmt(peakRSSMiB(), 0)) MiB")
} else if bytes > 0 {
    let cpu0 = cpuSeconds(), wall0 = Instant.monotonicNow()
    let r = transfer(total: bytes, messageSize: messageSize, mtu: mtu, conditions: PairLinkConditions(), seed: 42)
    let wall = (Instant.monotonicNow() - wall0).seconds, cpu = cpuSeconds() - cpu0
    let mb = Double(r.bytes) / 1e6
    let rate = fmt(mb / wall, 0), cpuPerGB = fmt(cpu / (Double(r.bytes) / 1e9), 2), rss = fmt(peakRSSMiB(), 0)
    let perCPU = fmt(mb / cpu, 0)
    print("in-memory: \(r.bytes) bytes in \(fmt(wall, 2)) s wall = \(rate) MB/s wall, \(perCPU) MB per CPU-second, "
          + "\(cpuPerGB) CPU-s/GB (both sides and the link on one thread), peak RSS \(rss) MiB, "
          + "peak receive buffer \(r.peakReceiveBuffer) B, peak outstanding \(r.peakOutstanding) chunks")
}

if lossyBytes > 0 {
    let rtt = 0.050, loss = 0.01
    let c = PairLinkConditions(delay: .milliseconds(25), loss: loss)
    let wall0 = Instant.monotonicNow()
    let r = transfer(total: lossyBytes, messageSize: messageSize, mtu: mtu, conditions: c, seed: 7)
    let wall = (Instant.monotonicNow() - wall0).seconds
    let goodput = Double(r.bytes) / r.virtualSeconds
    let mss = Double(mtu) - 12 - 16
    let mathis = mss / rtt * (1.5).squareRoot() / loss.squareRoot()
    let kBs = fmt(goodput / 1e3, 0), mbits = fmt(goodput * 8 / 1e6, 2), mathisK = fmt(mathis / 1e3, 0), ratio = fmt(goodput / mathis, 2)
    print("lossy 50 ms RTT 1% loss: \(r.bytes) bytes in \(fmt(r.virtualSeconds, 1)) virtual s = \(kBs) kB/s (\(mbits) Mbit/s); "
          + "Mathis TCP-friendly rate \(mathisK) kB/s; ratio \(ratio); "
          + "retransmissions \(r.retransmissions), fast recoveries \(r.fastRetransmits), T3 \(r.t3); simulated in \(fmt(wall, 1)) s")
}
