import WireKit

/// The probe packet of Datagram PLPMTUD for SCTP (RFC 8899 §6.2.1): a HEARTBEAT whose info
/// names the probed size and a nonce, padded to that size with a PAD chunk (RFC 4820).
/// Peers that do not know PAD skip it (its type's upper bits are 10) and answer the
/// HEARTBEAT with a small HEARTBEAT ACK, which confirms the size.
enum PathMTUProbe {
    /// Heartbeat info of a probe: 4 bytes of size, 8 of nonce (plain heartbeats carry 8).
    static let infoLength = 12
    /// Common header, HEARTBEAT chunk header, Heartbeat Info parameter header and info.
    static let headerLength = SCTPPacket.headerSize + 4 + 4 + infoLength

    static func info(size: Int, nonce: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: infoLength)
        w.writeUInt32(UInt32(truncatingIfNeeded: size))
        w.writeUInt64(nonce)
        return w.take()
    }

    static func parse(info: [UInt8]) -> (size: Int, nonce: UInt64)? {
        guard info.count == infoLength else { return nil }
        var r = ByteReader(info)
        guard let size = try? r.readUInt32(), let nonce = try? r.readUInt64() else { return nil }
        return (Int(size), nonce)
    }
}

/// PLPMTUD (RFC 8899) for the association: sending probes, raising the packet size on their
/// acknowledgement, falling back to the base size on a black hole, and turning it off on paths
/// that must not be probed.
extension SCTPAssociation {
    /// Allows or forbids PLPMTUD on the current path (a driver forbids it on a TURN relay,
    /// whose packet size stays the base one). Forbidding it drops to the base size at once;
    /// allowing it again on an established association starts a new search.
    public mutating func setPathMTUDiscovery(enabled: Bool, now: Instant) {
        self.now = now
        guard enabled != pathMTUAllowed else { return }
        pathMTUAllowed = enabled
        if enabled {
            if state == .established { pathMTUSearch.start(now: now) }
        } else {
            pathMTUSearch.disable()
            mtu = baseMTU
        }
    }

    /// True while PLPMTUD is probing larger sizes.
    public var isSearchingPathMTU: Bool { pathMTUSearch.phase == .searching }

    /// The probe or raise timer fired: queue the next probe, if any.
    mutating func pathMTUTimerDue() {
        guard state == .established, pathMTUAllowed else {
            pathMTUSearch.disable()
            return
        }
        guard let probe = pathMTUSearch.timerFired(now: now, nonce: rng.next()) else { return }
        queueProbe(size: probe.size, nonce: probe.nonce)
    }

    /// Builds a probe of exactly `size` bytes (a multiple of 4) and queues it as a control
    /// packet: it carries no DATA, so it is not part of the flight size or the cwnd.
    mutating func queueProbe(size: Int, nonce: UInt64) {
        var w = ByteWriter(capacity: size)
        SCTPPacket.writeHeader(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                               verificationTag: peerTag, into: &w)
        HeartbeatChunk(info: PathMTUProbe.info(size: size, nonce: nonce)).write(type: ChunkType.heartbeat, into: &w)
        let padLength = max(4, size - w.count)
        w.writeUInt8(ChunkType.pad)
        w.writeUInt8(0)
        w.writeUInt16(UInt16(truncatingIfNeeded: padLength))
        w.writeZeros(padLength - 4)
        var bytes = w.take()
        // Always with a CRC-32C: a peer whose lower layers truncate the probe must drop it.
        SCTPPacket.seal(&bytes)
        controlPackets.append(bytes)
        statistics.pathMTUProbesSent += 1
    }

    /// A HEARTBEAT ACK with probe info: raise the packet size when it confirms the probe.
    mutating func handlePathMTUProbeAck(_ info: [UInt8]) {
        guard let (size, nonce) = PathMTUProbe.parse(info: info),
              pathMTUSearch.acknowledged(size: size, nonce: nonce, now: now) else { return }
        statistics.pathMTUProbesAcknowledged += 1
        mtu = pathMTUSearch.current
        pathMTUTimerDue()  // the next size up is probed at once
    }

    /// Packets of the raised size stopped getting through: base size, and a new search.
    mutating func pathMTUBlackHole() {
        statistics.pathMTUBlackHoles += 1
        pathMTUSearch.blackHole(now: now)
        mtu = pathMTUSearch.current
        pathMTUTimerDue()
    }
}
