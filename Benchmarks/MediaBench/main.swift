// media-bench: added latency of the voice pipeline and CPU per call.
//
// source (timestamped tone bursts) → Opus encode → RTP → SRTP protect → in-process loopback
// → SRTP unprotect → RTP parse → jitter buffer → Opus decode → sink, on a virtual 20 ms clock.
// Latency = when a burst's onset is heard at the sink − when the source produced it. The
// processing itself is timed on the real clock to give CPU per call (per 20 ms of audio, both ends).
//
//   swift run -c release media-bench [seconds]
import Media
import RTP
import SRTP
import WireKit

let seconds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 60
let frames = seconds * 50
var rng = SeededRandom(seed: 42)
let material = rng.bytes(SRTPProfile.aeadAES128GCM.keyingMaterialLength)
let tx = try SRTPContext(keys: SRTPKeys(profile: .aeadAES128GCM, keyingMaterial: material, role: .client))
let rx = try SRTPContext(keys: SRTPKeys(profile: .aeadAES128GCM, keyingMaterial: material, role: .server))
let encoder = try OpusEncoder(dtx: false)
var payloader = OpusPayloader(ssrc: 1, sequenceNumber: 0, timestamp: 0)
let receiver = try OpusReceiver()

// Bursts: 100 ms of 1 kHz every 500 ms, silence between; onset time recorded per burst.
var burstOnsets: [Instant] = []
var heardOnsets: [Instant] = []
var wasLoud = false
var cpuNanos: UInt64 = 0
var now = Instant.zero
var tone = ToneGenerator(frequency: 1000, amplitude: 0.5)
let oneWay = Duration.milliseconds(1) // loopback hop

var inFlight: [(Instant, [UInt8])] = []
for frameIndex in 0..<frames {
    now = Instant.zero + .milliseconds(20 * frameIndex)
    let start = Instant.monotonicNow()
    // Source: a burst starts at every 25th frame and lasts 5 frames.
    let inBurst = frameIndex % 25 < 5
    if frameIndex % 25 == 0 { burstOnsets.append(now) }
    var frame = tone.read(frameCount: 960) ?? .silence(frameCount: 960)
    if !inBurst { frame = .silence(frameCount: 960) }
    let opus = try encoder.encode(frame)
    if let packet = payloader.packetize(opus) {
        inFlight.append((now + oneWay, try tx.protectRTP(packet.serialized())))
    }
    cpuNanos += Instant.monotonicNow().nanoseconds - start.nanoseconds
    // Receive side on the same virtual clock, at 1 ms resolution within the frame.
    for ms in 0..<20 {
        let t = now + .milliseconds(ms)
        let s = Instant.monotonicNow()
        while let first = inFlight.first, first.0 <= t {
            inFlight.removeFirst()
            receiver.insert(try RTPPacket(parsing: try rx.unprotectRTP(first.1)), now: t)
        }
        while let out = receiver.pollFrame(now: t) {
            // Onset: first sample above 0.1 FS after a quiet frame; its position inside the frame counts.
            if !wasLoud, let i = out.samples.firstIndex(where: { abs(Int($0)) > 3277 }) {
                heardOnsets.append(t + .nanoseconds(Int64(i) * 1_000_000_000 / 48000))
                wasLoud = true
            } else if out.rms < 0.01 {
                wasLoud = false
            }
        }
        cpuNanos += Instant.monotonicNow().nanoseconds - s.nanoseconds
    }
}

var latencies: [Double] = []
for onset in heardOnsets {
    // Match each heard onset to the latest burst that started before it.
    if let sent = burstOnsets.last(where: { $0 <= onset }) { latencies.append((onset - sent).seconds * 1000) }
}
latencies.sort()
func pct(_ sorted: [Double], _ p: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
let stats = receiver.jitterBuffer.statistics
print("media-bench: \(seconds) s of audio, \(burstOnsets.count) bursts, \(latencies.count) heard")
print("  added latency (source → sink, virtual clock, 1 ms loopback): p50 \(pct(latencies, 0.5)) ms, p95 \(pct(latencies, 0.95)) ms, max \(latencies.last ?? .nan) ms")
print("  jitter buffer target \(stats.targetDelay), played \(stats.played), concealed \(stats.concealed)")
let cpuPerFrame = Double(cpuNanos) / Double(frames) / 1000
print("  CPU per call: \(cpuPerFrame) µs per 20 ms frame (encode+SRTP+decode, both ends) = \(cpuPerFrame / 200)% of one core")
