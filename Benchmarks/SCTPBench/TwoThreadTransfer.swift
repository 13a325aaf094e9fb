// `--threads 2`: each association on its own thread, as in a real connection where each side
// has its own CPU. The link is a bounded single-producer single-consumer ring of packets each
// way (plus a ring handing spent packet buffers back, so buffers are reused as in a driver);
// `now` is the monotonic clock. Reports wall MB/s and CPU-seconds per GB of each side's
// thread (CLOCK_THREAD_CPUTIME_ID).
#if canImport(Glibc)
import Glibc
#endif
import SCTP
import SCTPTestSupport
import Synchronization
import WireKit

/// A bounded lock-free ring between exactly one producer thread and one consumer thread.
final class PacketRing: Sendable {
    let capacity: Int
    // Slots are written only by the producer before it publishes `tail` (release) and read
    // only by the consumer after it observes `tail` (acquire), and vice versa for `head`:
    // the two threads never touch the same slot at once.
    nonisolated(unsafe) let slots: UnsafeMutablePointer<[UInt8]>
    let head = Atomic<Int>(0)
    let tail = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
    }

    deinit {
        var h = head.load(ordering: .relaxed)
        let t = tail.load(ordering: .relaxed)
        while h != t { _ = (slots + h % capacity).move(); h += 1 }
        slots.deallocate()
    }

    /// Producer: false (the packet stays with the caller) when the ring is full.
    func push(_ packet: inout [UInt8]) -> Bool {
        let t = tail.load(ordering: .relaxed)
        guard t - head.load(ordering: .acquiring) < capacity else { return false }
        (slots + t % capacity).initialize(to: packet)
        packet = []
        tail.store(t + 1, ordering: .releasing)
        return true
    }

    /// Consumer: the oldest packet, or nil when empty.
    func pop() -> [UInt8]? {
        let h = head.load(ordering: .relaxed)
        guard h != tail.load(ordering: .acquiring) else { return nil }
        let p = (slots + h % capacity).move()
        head.store(h + 1, ordering: .releasing)
        return p
    }
}

/// One direction of the link: packets, and their spent buffers coming back.
final class LinkDirection: Sendable {
    let packets = PacketRing(capacity: 4096)
    let spare = PacketRing(capacity: 4096)
}

/// Set by the receiver once every message arrived; both threads stop.
final class DoneFlag: Sendable {
    let value = Atomic<Bool>(false)
}

/// What one side's thread measured.
struct SideResult: Sendable {
    /// Thread CPU time (CLOCK_THREAD_CPUTIME_ID), idle polling included.
    var cpuSeconds = 0.0
    /// Wall time of the loop turns that did work (packets, timers, events, sends).
    var busySeconds = 0.0
    var bytes = 0
    var stalls = 0
}

func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs one side until `done` is set: feeds received packets, fires timers, sends packets
/// (held back while the outgoing ring is full), and lets `onEvent` react to events.
func runSide(_ association: inout SCTPAssociation, inbound: LinkDirection, outbound: LinkDirection, done: DoneFlag,
             onEvent: (inout SCTPAssociation, SCTPEvent, Instant) -> Bool) -> SideResult {
    var result = SideResult()
    var held: [UInt8]?
    var idle = 0
    var busy: UInt64 = 0
    let cpu0 = threadCPUSeconds()
    while !done.value.load(ordering: .relaxed) {
        let now = Instant.monotonicNow()
        var worked = false
        var handled = 0
        while handled < 64, let p = inbound.packets.pop() {
            association.handle(packet: p, now: now)
            var spent = p
            _ = inbound.spare.push(&spent)
            handled += 1
            worked = true
        }
        if let t = association.pollTimeout(), t <= now { association.handle(timeout: now); worked = true }
        while let e = association.pollEvent() {
            if onEvent(&association, e, now) { done.value.store(true, ordering: .relaxed) }
        }
        if var h = held {
            if outbound.packets.push(&h) { held = nil } else { result.stalls += 1 }
        }
        while held == nil {
            var buffer = outbound.spare.pop() ?? []
            guard association.pollTransmit(into: &buffer) else { break }
            worked = true
            if !outbound.packets.push(&buffer) { held = buffer }
        }
        if worked {
            idle = 0
            busy += Instant.monotonicNow().nanoseconds - now.nanoseconds
        } else {
            // Nothing to do: spin briefly, then yield, then nap (as a driver blocks in epoll).
            idle += 1
            if idle > 256 {
                var nap = timespec(tv_sec: 0, tv_nsec: 20_000)
                nanosleep(&nap, nil)
            } else if idle > 32 {
                sched_yield()
            }
        }
    }
    result.cpuSeconds = threadCPUSeconds() - cpu0
    result.busySeconds = Double(busy) / 1e9
    return result
}

/// A thread running `body`; `join()` waits for it.
final class BenchThread: @unchecked Sendable {
    // @unchecked: `body` is set before the thread starts and read only by it; `thread` only
    // by the creating thread.
    var body: () -> Void
    var thread = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let me = Unmanaged<BenchThread>.fromOpaque(raw).takeRetainedValue()
            me.body()
            return nil
        }, context)
    }

    func join() { pthread_join(thread, nil) }
}

/// Mutable state handed to one thread (moved in, read back after join).
final class SideBox: @unchecked Sendable {
    // @unchecked: owned by one thread at a time (the creator before start and after join).
    var association: SCTPAssociation
    var result = SideResult()
    init(_ association: SCTPAssociation) { self.association = association }
}

/// The paced 1 GiB transfer with each association on its own thread.
func twoThreadTransfer(total: Int, messageSize: Int, mtu: Int, interleaving: Bool, seed: UInt64)
    -> (wall: Double, sender: SideResult, receiver: SideResult) {
    var ca = SCTPConfiguration(); ca.randomSeed = seed; ca.maxPacketSize = mtu
    ca.enableInterleaving = interleaving
    var cb = SCTPConfiguration(); cb.randomSeed = seed + 1; cb.maxPacketSize = mtu
    // The handshake on one thread (a SimPair over a perfect link), then each side moves to its own.
    var pair = SimPair(a: SCTPAssociation(configuration: ca), b: SCTPAssociation(configuration: cb),
                       ab: PairLinkConditions(), ba: PairLinkConditions(), seed: seed)
    try? pair.a.connect(now: pair.now)
    while !(pair.a.isEstablished && pair.b.isEstablished) {
        guard pair.step() else { fatalError("handshake stalled") }
        while pair.a.pollEvent() != nil {}
        while pair.b.pollEvent() != nil {}
    }
    let ab = LinkDirection(), ba = LinkDirection()
    let done = DoneFlag()
    let sender = SideBox(pair.a), receiver = SideBox(pair.b)
    let messages = (total + messageSize - 1) / messageSize
    let message = [UInt8](repeating: 0xAB, count: messageSize)
    let highWater = 1 << 20, lowWater = 512 << 10
    let wall0 = Instant.monotonicNow()
    let a = BenchThread {
        var sent = 0
        func fill(_ assoc: inout SCTPAssociation, _ now: Instant) {
            while sent < messages, assoc.bufferedAmount(stream: 0) < highWater {
                do { try assoc.send(stream: 0, ppid: 53, message: message, now: now) } catch { fatalError("send: \(error)") }
                sent += 1
            }
        }
        sender.association.setBufferedAmountLowThreshold(lowWater, stream: 0)
        fill(&sender.association, Instant.monotonicNow())
        sender.result = runSide(&sender.association, inbound: ba, outbound: ab, done: done) { assoc, e, now in
            if case .bufferedAmountLow = e { fill(&assoc, now) }
            return false
        }
    }
    let b = BenchThread {
        var received = 0, bytes = 0
        receiver.result = runSide(&receiver.association, inbound: ab, outbound: ba, done: done) { _, e, _ in
            if case .message(let m) = e { received += 1; bytes += m.payload.count }
            return received == messages
        }
        receiver.result.bytes = bytes
    }
    a.join()
    b.join()
    let wall = (Instant.monotonicNow() - wall0).seconds
    return (wall, sender.result, receiver.result)
}
