import WireKit

/// Datagram Packetization Layer PMTU Discovery (RFC 8899) for one SCTP association: which
/// packet size is confirmed (the PLPMTU), which larger size is being probed, and when.
///
/// The search steps up through ``SCTPConfiguration/pathMTUProbeSizes`` (ascending): each
/// candidate is probed up to `maxProbes` times (RFC 8899 MAX_PROBES), one probe per probe
/// timer; an acknowledged probe confirms its size and the next candidate is probed at once;
/// a candidate whose probes all go unanswered ends the search (SEARCH_COMPLETE) until the
/// raise timer (PMTU_RAISE_TIMER) starts it again from the next size up. A lost probe never
/// lowers the confirmed size; only ``blackHole(now:)`` does (back to BASE_PLPMTU, then a new
/// search). Pure state: the association sends the probes and reports the acknowledgements.
struct PathMTUSearch: Sendable {
    /// RFC 8899 §5.2 states (DISABLED covers "not allowed on this path", e.g. a TURN relay).
    enum Phase: Sendable, Equatable {
        case disabled, searching, searchComplete
    }

    /// A probe in flight: its size, the nonce its HEARTBEAT carries, and how many were sent.
    struct Probe: Sendable, Equatable {
        var size: Int
        var nonce: UInt64
        var count: Int
    }

    /// BASE_PLPMTU: the packet size that is always used when nothing larger is confirmed.
    let base: Int
    /// Sizes to probe, ascending, each larger than `base`.
    let candidates: [Int]
    let maxProbes: Int
    let probeTimeout: Duration
    let raiseInterval: Duration

    /// The confirmed packet size (PLPMTU).
    private(set) var current: Int
    private(set) var phase: Phase = .disabled
    private(set) var probe: Probe?
    /// The probe timer while searching, the raise timer once complete.
    private(set) var deadline: Instant?
    /// Index in `candidates` of the next size to probe.
    private var next = 0

    init(base: Int, candidates: [Int], maxProbes: Int, probeTimeout: Duration, raiseInterval: Duration) {
        self.base = base
        var sizes: [Int] = []
        for size in candidates.sorted() where size > base && size != sizes.last { sizes.append(size) }
        self.candidates = sizes
        self.maxProbes = max(1, maxProbes)
        self.probeTimeout = probeTimeout
        self.raiseInterval = raiseInterval
        current = base
    }

    /// True when there is anything to search for.
    var isConfigured: Bool { !candidates.isEmpty }

    /// Starts (or restarts) the search from the confirmed size; the first probe is due now.
    mutating func start(now: Instant) {
        guard isConfigured else { return }
        next = candidates.firstIndex { $0 > current } ?? candidates.count
        probe = nil
        if next < candidates.count {
            phase = .searching
            deadline = now
        } else {
            phase = .searchComplete
            deadline = nil
        }
    }

    /// Stops probing and goes back to the base size (a path where probing is not allowed).
    mutating func disable() {
        phase = .disabled
        current = base
        probe = nil
        deadline = nil
    }

    /// The probe timer fired: the next probe to send (its size; `probe` holds its nonce), or
    /// nil when the candidate failed (search complete) or the raise timer restarted nothing.
    mutating func timerFired(now: Instant, nonce: UInt64) -> Probe? {
        guard let d = deadline, d <= now else { return nil }
        switch phase {
        case .disabled:
            deadline = nil
            return nil
        case .searchComplete:
            // PMTU_RAISE_TIMER: try the sizes above the confirmed one again.
            start(now: now)
            return phase == .searching ? timerFired(now: now, nonce: nonce) : nil
        case .searching:
            var p = probe ?? Probe(size: candidates[next], nonce: nonce, count: 0)
            guard p.count < maxProbes else {
                // MAX_PROBES unanswered: this size does not pass; keep the confirmed one.
                probe = nil
                phase = .searchComplete
                deadline = now + raiseInterval
                return nil
            }
            p.count += 1
            p.nonce = nonce
            probe = p
            deadline = now + probeTimeout
            return p
        }
    }

    /// A HEARTBEAT ACK for a probe arrived: true when it confirmed a new size (the association
    /// raises its packet size to ``current``). The next candidate is probed at once.
    mutating func acknowledged(size: Int, nonce: UInt64, now: Instant) -> Bool {
        guard phase == .searching, let p = probe, p.size == size, p.nonce == nonce else { return false }
        current = size
        probe = nil
        next += 1
        if next < candidates.count {
            deadline = now
        } else {
            phase = .searchComplete
            deadline = nil  // the largest size passes: nothing left to raise to
        }
        return true
    }

    /// Packets of the current size are being lost while smaller ones get through (RFC 8899
    /// §4.3 black hole): back to the base size, and search again from there.
    mutating func blackHole(now: Instant) {
        guard phase != .disabled else { return }
        current = base
        start(now: now)
    }
}
