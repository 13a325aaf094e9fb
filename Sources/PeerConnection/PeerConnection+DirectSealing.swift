import DTLS
import SCTP
import WireKit

/// The bulk send path for drivers: SCTP packets sealed as DTLS records straight into the
/// driver's socket buffer, with no record array, no queue through DTLS, ICE and `outgoing`,
/// and no copy of the record or of the packet: SCTP builds the packet as its headers plus
/// slices of the user's messages (``SCTPOutgoingPacket``), which the DTLS native record layer
/// has written once, behind the record header, and encrypts there.
///
/// A driver opts in with ``sealsDirectly``; then, whenever the path is usable (native record
/// layer connected, nothing queued in DTLS, a direct (not relayed) selected pair), SCTP's
/// packets come out of ``pollSealedTransmit(_:)`` instead of ``pollTransmit()``. Everything
/// else (ICE, handshake, alerts, relayed data) still comes out of ``pollTransmit()``, which the
/// driver drains first. The records are the ones the queued path makes: the two
/// interleave freely.
extension PeerConnection {
    /// The socket and remote address of the direct path, or nil when it is not usable now.
    var directSealingRoute: (source: TransportAddress, destination: TransportAddress)? {
        guard sealsDirectly, sctpStarted, !isClosed, let dtls, dtls.usesNativeRecordLayer, dtls.state == .connected,
              let ice else { return nil }
        return ice.directDataRoute()
    }

    /// Writes the next SCTP packet as a sealed DTLS record through `emit`, which gets the
    /// datagram's socket, destination and length, and a `seal` function to call once with a
    /// buffer of exactly that length (it returns the bytes written: the length, or 0 when
    /// sealing failed and the buffer holds nothing to send). Returns false, without calling
    /// `emit`, when there is no packet or the path is not usable now (then ``pollTransmit()``
    /// carries the packets).
    public func pollSealedTransmit(_ emit: (_ source: TransportAddress, _ destination: TransportAddress, _ length: Int,
                                            _ seal: (UnsafeMutableRawBufferPointer) -> Int) -> Void) -> Bool {
        guard outgoing.isEmpty, let route = directSealingRoute, let dtls, let ice else { return false }
        guard sctp?.pollTransmit(into: &sctpOutgoing) == true else { return false }
        guard let length = dtls.sealedLength(ofApplicationData: sctpOutgoing.count) else {
            // Not sealable here after all (records OpenSSL wrote wait first): the queued path.
            sctpOutgoing.write(into: &sctpPacket)
            sctpOutgoing.releaseUserData()
            do { try dtls.send(sctpPacket) } catch { return false }
            counters.dtlsRecordsSent += 1
            return true
        }
        // The packet goes from its parts (headers, slices of the messages) into the record's
        // body in the socket buffer in one copy, and is encrypted there.
        var sent = false
        do {
            let packet = sctpOutgoing
            emit(route.source, route.destination, length) { out in
                guard out.count >= length,
                      let written = try? dtls.seal(applicationDataOfLength: packet.count, into: out, writing: { packet.write(into: $0) })
                else { return 0 }
                sent = true
                return written
            }
        }
        // The user data is let go once the record holds it (SCTP keeps its own reference until
        // the chunk is acknowledged); `packet` is gone, so the arrays are not copied here.
        sctpOutgoing.releaseUserData()
        guard sent else { return true }
        ice.noteDirectDataSent()
        counters.dtlsRecordsSent += 1
        counters.packetsSent += 1
        counters.bytesSent += length
        return true
    }
}
