/// The checklist of one data stream (RFC 8445 §6.1.2): candidate pairs in priority order, the
/// triggered-check queue, and the frozen/waiting bookkeeping by foundation.
struct Checklist: Sendable {
    /// Pairs, highest priority first.
    private(set) var pairs: [CandidatePair] = []
    /// Pair IDs waiting for a triggered check (FIFO, §6.1.4.1).
    private(set) var triggered: [Int] = []
    /// Pair IDs whose triggered check must carry USE-CANDIDATE.
    var nominating: Set<Int> = []
    private var nextID = 0
    let maxPairs: Int

    init(maxPairs: Int) { self.maxPairs = maxPairs }

    /// Index of pair `id`.
    func index(of id: Int) -> Int? { pairs.firstIndex { $0.id == id } }

    /// The pair with `id`.
    subscript(id id: Int) -> CandidatePair? {
        get { index(of: id).map { pairs[$0] } }
        set {
            guard let i = index(of: id), let newValue else { return }
            pairs[i] = newValue
        }
    }

    /// The pair of a local candidate index and a remote address, if any.
    func find(localIndex: Int, remote: TransportAddressKey) -> CandidatePair? {
        pairs.first { $0.localIndex == localIndex && TransportAddressKey($0.remote.address) == remote }
    }

    /// Adds a pair unless a pair with the same local base and remote address exists (pruning,
    /// §6.1.2.4); keeps at most `maxPairs`, dropping the lowest-priority idle pairs. Returns the
    /// pair's ID (the existing one when redundant), or nil when it was pruned away.
    mutating func add(local: Candidate, localIndex: Int, remote: Candidate, role: ICERole, state: CandidatePair.State) -> Int? {
        if let existing = find(localIndex: localIndex, remote: TransportAddressKey(remote.address)) { return existing.id }
        var pair = CandidatePair(id: nextID, local: local, localIndex: localIndex, remote: remote, role: role)
        nextID += 1
        pair.state = state
        let position = pairs.firstIndex { $0.priority < pair.priority } ?? pairs.count
        pairs.insert(pair, at: position)
        if pairs.count > maxPairs, let drop = pairs.lastIndex(where: { $0.state == .frozen || $0.state == .waiting || $0.state == .failed }) {
            let removed = pairs.remove(at: drop)
            triggered.removeAll { $0 == removed.id }
            if removed.id == pair.id { return nil }
        }
        return pair.id
    }

    /// Recomputes pair priorities after a role change and re-sorts.
    mutating func updatePriorities(role: ICERole) {
        for i in pairs.indices { pairs[i].updatePriority(role: role) }
        pairs.sort { $0.priority > $1.priority }
    }

    /// Sets the initial states (§6.1.2.6): per foundation, the highest-priority pair waits.
    mutating func unfreezeInitial() {
        var seen = Set<String>()
        for i in pairs.indices where pairs[i].state == .frozen {
            if seen.insert(pairs[i].foundation).inserted { pairs[i].state = .waiting }
        }
    }

    /// After a success, frozen pairs of the same foundation become waiting (§7.2.5.3.3).
    mutating func unfreeze(foundation: String) {
        for i in pairs.indices where pairs[i].state == .frozen && pairs[i].foundation == foundation {
            pairs[i].state = .waiting
        }
    }

    /// Queues a triggered check for pair `id` (no duplicates).
    mutating func trigger(_ id: Int, nominate: Bool = false) {
        if nominate { nominating.insert(id) }
        if !triggered.contains(id) { triggered.append(id) }
    }

    /// The pair to check next when Ta fires: the triggered queue first, then the highest-priority
    /// waiting pair, then the highest-priority frozen pair (§6.1.4.2). Pairs for which `isReady`
    /// is false (a relayed pair whose TURN permission is not installed yet) are passed over and
    /// keep their place.
    mutating func nextCheck(isReady: (CandidatePair) -> Bool = { _ in true }) -> Int? {
        var index = 0
        while index < triggered.count {
            let id = triggered[index]
            guard let p = self[id: id] else { triggered.remove(at: index); continue }
            // A pair that an earlier answer already settled needs no triggered check, unless
            // the check nominates it.
            guard (p.state != .failed && p.state != .succeeded) || nominating.contains(id) else {
                triggered.remove(at: index)
                continue
            }
            if isReady(p) {
                triggered.remove(at: index)
                return id
            }
            index += 1
        }
        if let p = pairs.first(where: { $0.state == .waiting && isReady($0) }) { return p.id }
        if let p = pairs.first(where: { $0.state == .frozen && isReady($0) }) { return p.id }
        return nil
    }

    /// Fails the pairs that are not settled yet and match `predicate` (their relay lost the
    /// permission they need); returns how many.
    @discardableResult
    mutating func fail(where predicate: (CandidatePair) -> Bool) -> Int {
        var count = 0
        for i in pairs.indices where pairs[i].state != .succeeded && pairs[i].state != .failed && predicate(pairs[i]) {
            pairs[i].state = .failed
            triggered.removeAll { $0 == pairs[i].id }
            count += 1
        }
        return count
    }

    /// True while any check is pending or possible.
    var hasPendingWork: Bool {
        !triggered.isEmpty || pairs.contains { $0.state == .waiting || $0.state == .frozen }
    }

    /// True when a pair is waiting, frozen or in progress.
    var isChecking: Bool {
        !triggered.isEmpty || pairs.contains { $0.state == .waiting || $0.state == .frozen || $0.state == .inProgress }
    }

    /// True when some pair's checks have not failed.
    var allFailed: Bool { !pairs.isEmpty && pairs.allSatisfy { $0.state == .failed } }

    /// The highest-priority valid pair.
    var bestValid: CandidatePair? { pairs.first { $0.state == .succeeded } }

    /// Empties the checklist (ICE restart).
    mutating func removeAll() {
        pairs.removeAll()
        triggered.removeAll()
        nominating.removeAll()
    }
}
