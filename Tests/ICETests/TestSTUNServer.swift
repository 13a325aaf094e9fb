import NetSim
import STUN
import WireKit

/// TEST SUPPORT ONLY: a minimal sans-IO STUN Binding server (RFC 8489 §6.3) for NetSim, so
/// agents behind simulated NATs can learn server-reflexive candidates. Not a product server.
final class TestSTUNServer: SimulatedEndpoint {
    private var out: [Transmit] = []
    private(set) var requests = 0

    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        guard let request = try? STUNMessage.decode(datagram), request.type == .init(method: .binding, messageClass: .request) else { return }
        requests += 1
        let response = STUNMessage(type: .init(method: .binding, messageClass: .successResponse),
                                   transactionID: request.transactionID, attributes: [.xorMappedAddress(source)])
        out.append(Transmit(source: destination, destination: source, payload: response.encode(fingerprint: true)))
    }

    func handle(timeout now: Instant) {}
    func pollTransmit() -> Transmit? { out.isEmpty ? nil : out.removeFirst() }
    func pollTimeout() -> Instant? { nil }
}
