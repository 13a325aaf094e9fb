import DTLS
import Signaling
import WireKit

/// Authentication: the `auth` answer to `hello`.
extension RendezvousHub {
    mutating func authenticate(_ id: ConnectionID, proof: AuthProof, now: Instant) {
        guard var connection = connections[id] else { return }
        guard connection.device == nil, let nonce = connection.nonce else {
            refuse(id, .alreadyAuthenticated, "this connection is already authenticated", ref: "auth")
            return
        }
        // The nonce is single-use: whatever the outcome, it never verifies again.
        connection.nonce = nil
        connections[id] = connection
        let transcript = SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: serverIdentity)
        switch AuthVerifier.verify(proof, transcript: transcript) {
        case .failure(.unknownFormat(let why)):
            refuse(id, .unknownCertificateFormat, why, ref: "auth")
            close(id, .authFailed)
        case .failure(.badSignature):
            refuse(id, .authFailed, "the signature does not verify over this connection's nonce and server identity", ref: "auth")
            close(id, .authFailed)
        case .success(let device):
            var replacedOld = false
            if let old = online[device], old != id {
                events.append(.replaced(old: old, new: id, device))
                // The device stays online throughout, so watchers see no flicker.
                close(old, .replaced, notifyPresence: false)
                replacedOld = true
            }
            connection.device = device
            connections[id] = connection
            online[device] = id
            let wasRemote = remoteOnline.removeValue(forKey: device) != nil
            events.append(.authenticated(id, device))
            send(id, .welcome(device: device))
            if !replacedOld && !wasRemote { announce(device, online: true) }
            if let node {
                pendingOnline[device, default: 0] += 1
                publish(.online(device: device, node: node))
            }
        }
    }
}
