import NIOCore
import WireKit

/// The relaying phase of the bench, run on the load generator's one event loop: pair `i` sends
/// `signal`s carrying their send time from connection `2i` to connection `2i+1`.
///
/// Closed loop (`rate == nil`): each pair keeps `window` signals in flight, sending the next when
/// one arrives — throughput then equals in-flight / latency, so a large window measures
/// queueing, not the server. Open loop (`rate` signals/s in total): signals go out on a 1 ms
/// schedule regardless of answers, so latency is measured at a fixed offered load.
final class LoadPhase {
    struct Pair {
        let sender: BenchConnection
        let receiver: BenchConnection
        /// The frame's bytes before the payload: `{"type":"signal","to":"<ID>","payload":"`.
        let prefix: [UInt8]
    }

    private let pairs: [Pair]
    private let window: Int
    private let rate: Double?
    /// (send time since the start, latency) in ns of every signal sent before the deadline that arrived.
    private var samples: [(sent: UInt64, latency: UInt64)] = []
    private var start = Instant.monotonicNow()
    private var deadline = Instant.monotonicNow()
    private var sent = 0
    private var nextPair = 0
    private var stopped = false

    init(pairs: [Pair], window: Int, rate: Double?) {
        self.pairs = pairs
        self.window = window
        self.rate = rate
        samples.reserveCapacity(1 << 20)
    }

    /// Starts relaying on `eventLoop` (the loop of every connection) for `duration`.
    func start(duration: Duration, on eventLoop: any EventLoop) {
        start = .monotonicNow()
        deadline = start + duration
        for pair in pairs {
            let sender = pair.sender
            let prefix = pair.prefix
            let closedLoop = rate == nil
            pair.receiver.onSignal = { [unowned self] sentAt in
                let now = Instant.monotonicNow()
                if sentAt < self.deadline.nanoseconds {
                    self.samples.append((sentAt &- self.start.nanoseconds, now.nanoseconds &- sentAt))
                }
                if closedLoop && now < self.deadline { sender.sendSignal(prefix: prefix, stamp: now.nanoseconds) }
            }
        }
        if rate == nil {
            let now = Instant.monotonicNow().nanoseconds
            for pair in pairs {
                for _ in 0..<window { pair.sender.sendSignal(prefix: pair.prefix, stamp: now) }
            }
        } else {
            tick(on: eventLoop)
        }
    }

    /// Open loop: sends what is due by now, then again in 1 ms.
    private func tick(on eventLoop: any EventLoop) {
        let now = Instant.monotonicNow()
        guard let rate, now < deadline, !stopped else { return }
        let due = Int((now - start).seconds * rate) - sent
        if due > 0 {
            let first = nextPair
            for _ in 0..<due {
                let pair = pairs[nextPair]
                nextPair = (nextPair + 1) % pairs.count
                pair.sender.sendSignal(prefix: pair.prefix, stamp: now.nanoseconds, flushLater: true)
            }
            // One flush (one write) per sender used this tick, with no task per connection.
            for offset in 0..<min(due, pairs.count) { pairs[(first + offset) % pairs.count].sender.flush() }
            sent += due
        }
        eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(1)) { self.tick(on: eventLoop) }
    }

    /// Signals sent so far.
    var sentCount: Int { rate == nil ? samples.count + pairs.count * window : sent }
    /// Close codes the server sent to pair members, and error frames they received.
    var trouble: (closes: [UInt16: Int], errors: Int) {
        var closes: [UInt16: Int] = [:]
        var errors = 0
        for pair in pairs {
            for connection in [pair.sender, pair.receiver] {
                if let code = connection.closeCode { closes[code, default: 0] += 1 }
                errors += connection.errorFrames
            }
        }
        return (closes, errors)
    }

    /// Stops sending; returns (send time since the start, latency) in ns of the signals sent
    /// before the deadline that arrived.
    func finish() -> [(sent: UInt64, latency: UInt64)] {
        stopped = true
        for pair in pairs { pair.receiver.onSignal = nil }
        return samples
    }
}
