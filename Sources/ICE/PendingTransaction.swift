import STUN
import WireKit

/// An outstanding STUN client transaction and why it was started.
struct PendingTransaction: Sendable {
    enum Purpose: Sendable, Equatable {
        /// A connectivity check of a pair in the current generation.
        case check(pairID: Int, nominate: Bool, generation: Int)
        /// A consent freshness check on the selected pair.
        case consent
        /// Server-reflexive discovery from a host socket.
        case serverReflexive(socket: TransportAddress, server: TransportAddress)
        /// A TURN request of an allocation.
        case turn(allocation: Int, request: TURNRequestKind)
    }

    var purpose: Purpose
    var transaction: STUNClientTransaction
    var route: SendRoute
    var destination: TransportAddress
    /// The key responses must be signed with (nil: none expected, as from a plain STUN server).
    var responseKey: STUNIntegrityKey?
}
