import WireKit

extension SimNetwork {
    /// Drops the next `n` datagrams `host` sends (in addition to any already pending).
    public func dropNext(_ n: Int, from host: HostID) {
        hosts[host.rawValue].dropNext += max(0, n)
    }

    /// Drops every datagram sent from now on for which `predicate` is true (until
    /// `clearFaults()`). The predicate sees the datagram as its endpoint sent it.
    public func drop(where predicate: @escaping (Transmit) -> Bool) {
        dropPredicates.append(predicate)
    }

    /// Drops everything `host` sends and everything that would reach it, for `duration` of
    /// virtual time from now (a cable pulled out; datagrams already in flight toward it are lost).
    public func blackhole(_ host: HostID, for duration: Duration) {
        hosts[host.rawValue].blackholedUntil = (now + duration).nanoseconds
    }

    /// Removes all targeted faults: pending `dropNext` counts, predicates and blackholes.
    public func clearFaults() {
        dropPredicates.removeAll()
        for i in hosts.indices {
            hosts[i].dropNext = 0
            hosts[i].blackholedUntil = 0
        }
    }
}
