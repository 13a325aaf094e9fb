import STUN
import WireKit

extension ICEAgent {
    /// A consent interval randomised to 0.8–1.2 of the configured one (RFC 7675 §5.1).
    func consentInterval() -> Duration {
        let factor = 0.8 + 0.4 * rng.nextUnitDouble()
        return .seconds(double: configuration.consentInterval.seconds * factor)
    }

    /// Sends consent checks when due; moves to disconnected and failed as consent ages.
    func consentTimers() {
        guard var s = selected, connectionState != .failed else { return }
        let silence = now - s.lastConsent
        if silence >= configuration.consentExpiry {
            // RFC 7675 §5.1: consent expired, stop sending on the pair.
            emit(.debug("consent expired on \(s.pair)"))
            setConnectionState(.failed)
            return
        }
        if silence >= configuration.disconnectedTimeout {
            setConnectionState(.disconnected)
            recoverFromDisconnect()
            guard let again = selected else { return }
            s = again
        }
        if now >= s.nextConsentCheck {
            s.nextConsentCheck = now + consentInterval()
            s.consentInFlight = true
            selected = s
            counters.consentChecksSent += 1
            let attributes: [STUNAttribute] = [
                .username("\(s.remote.ufrag):\(s.local.ufrag)"),
                .priority(Candidate.priority(type: .peerReflexive, localPreference: UInt16((s.pair.local.priority >> 8) & 0xFFFF))),
                role == .controlling ? .iceControlling(tieBreaker) : .iceControlled(tieBreaker),
            ]
            let message = STUNMessage(type: .init(method: .binding, messageClass: .request),
                                      transactionID: .random(using: &rng), attributes: attributes)
            let key = STUNIntegrityKey.shortTerm(password: s.remote.password)
            startTransaction(message, key: key, purpose: .consent, route: s.route, destination: s.pair.remote.address,
                             responseKey: key, parameters: .init(initialRTO: .milliseconds(500), maxTransmissions: 4,
                                                                 finalWaitMultiplier: 4, maxRTO: .seconds(2)))
        }
    }

    /// A consent response refreshes consent (only a success, from where the check went).
    func handleConsentResponse(_ message: STUNMessage, pending: PendingTransaction, source: TransportAddress) {
        guard var s = selected, pending.destination == s.pair.remote.address, pending.route == s.route else { return }
        s.consentInFlight = false
        if message.type.messageClass == .errorResponse {
            if message.errorCode?.code == 487 {
                switchRole(to: role.opposite)
            }
            selected = s
            return
        }
        guard TransportAddressKey(source) == TransportAddressKey(pending.destination) else { selected = s; return }
        s.lastConsent = now
        selected = s
        if connectionState == .disconnected {
            setConnectionState(.connected)
            updateStateAfterChecks()
        }
    }

    /// While disconnected: the controlling side nominates another valid pair if there is one
    /// (e.g. after the peer's NAT rebound); the controlled side waits for that nomination.
    func recoverFromDisconnect() {
        guard let s = selected else { return }
        guard let best = checklist.pairs.first(where: { $0.state == .succeeded && $0.id != s.pair.id }),
              s.generation == generation else { return }
        if role == .controlling {
            if !checklist.nominating.contains(best.id) { checklist.trigger(best.id, nominate: true); scheduleChecks() }
        }
    }
}
