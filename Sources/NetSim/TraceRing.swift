import WireKit

/// A bounded ring of trace entries plus a running digest of every entry ever recorded.
///
/// The ring keeps the newest `capacity` entries without allocating once full; the digest
/// covers all entries, so two runs can be compared even after the ring wrapped.
struct TraceRing {
    private(set) var capacity: Int
    private var storage: [TraceEntry] = []
    private var head = 0
    /// Every entry ever recorded (not only those still in the ring).
    private(set) var total: UInt64 = 0
    /// FNV-1a-style digest of every recorded entry.
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        storage.reserveCapacity(min(self.capacity, 1 << 16))
    }

    mutating func append(_ entry: TraceEntry) {
        total &+= 1
        mix(entry.time.nanoseconds)
        mix(Self.code(entry.event))
        mix(entry.packet)
        mix(Self.code(entry.source) ^ (Self.code(entry.destination) &* 31))
        mix(UInt64(entry.size) << 32 | UInt64(entry.payloadHash))
        guard capacity > 0 else { return }
        if storage.count < capacity {
            storage.append(entry)
        } else {
            storage[head] = entry
            head = (head + 1) % capacity
        }
    }

    /// The retained entries, oldest first.
    var entries: [TraceEntry] {
        Array(storage[head...]) + Array(storage[..<head])
    }

    /// The newest `n` retained entries, oldest first.
    func last(_ n: Int) -> [TraceEntry] {
        let all = entries
        return Array(all.suffix(n))
    }

    mutating func resize(_ newCapacity: Int) {
        let kept = last(max(0, newCapacity))
        capacity = max(0, newCapacity)
        storage = kept
        head = 0
    }

    private mutating func mix(_ value: UInt64) {
        digest = (digest ^ value) &* 0x0000_0100_0000_01B3
        digest ^= digest >> 29
    }

    private static func code(_ event: TraceEvent) -> UInt64 {
        switch event {
        case .send: 1
        case .deliver: 2
        case .duplicate: 3
        case .drop(let reason): 100 + UInt64(reason.hashCode)
        }
    }

    private static func code(_ address: TransportAddress) -> UInt64 {
        let ip: UInt64
        switch address.ip {
        case .v4(let a): ip = UInt64(a)
        case .v6(let hi, let lo): ip = hi ^ (lo &* 0x9E37_79B9_7F4A_7C15)
        }
        return ip &* 65_537 ^ UInt64(address.port)
    }
}

extension DropReason {
    /// A stable small number for digests.
    var hashCode: Int {
        switch self {
        case .loss: 0
        case .burstLoss: 1
        case .queueFull: 2
        case .mtu: 3
        case .noRoute: 4
        case .badSource: 5
        case .natNoMapping: 6
        case .natFiltered: 7
        case .natHairpin: 8
        case .injected: 9
        case .blackhole: 10
        case .natExhausted: 11
        }
    }
}
