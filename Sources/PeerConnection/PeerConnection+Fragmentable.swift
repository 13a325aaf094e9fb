import DTLS
import WireKit

/// SCTP packets IP may fragment (``SCTP/SCTPOutgoingPacket/mayFragment``: a DATA chunk cut for
/// the packet size PLPMTUD had raised, resent after it fell back): their DTLS record leaves as
/// a transmit marked ``Transmit/mayFragment``, which the driver sends with DF clear.
///
/// DTLS's record queue carries no marks, and needs none: such a packet is the only record in
/// it when its transmit is made. The records queued before it go to ICE first, unmarked, in
/// order; the packet's record follows, marked; the transmits then wait in ``outgoing``, so
/// ``pollSealedTransmit(_:)`` lets them go before any later packet.
extension PeerConnection {
    /// Seals `packet` as one DTLS record and hands it to ICE marked as fragmentable.
    func sendFragmentable(_ packet: [UInt8], through dtls: DTLSEndpoint) throws(DTLSError) {
        guard let ice else { return try dtls.send(packet) }
        while let record = dtls.pollTransmit() {
            do { try ice.send(data: record, now: now) } catch { break }
        }
        try dtls.send(packet)
        while let record = dtls.pollTransmit() {
            do { try ice.send(data: record, now: now, mayFragment: true) } catch { break }
        }
        while let t = ice.pollTransmit() { outgoing.append(t) }
    }
}
