import DTLS
import PeerConnection
import RTCDriver

/// Two RTCDrivers on loopback with fresh identities and seeds `seed` and `seed + 1`; A sends
/// with `highWaterMark`, B with the driver's default.
func startLoopbackDrivers(seed: UInt64, highWaterMark: Int) async throws -> (a: RTCDriver, b: RTCDriver) {
    let a = try await RTCDriver.start(configuration: PeerConnectionConfiguration(identity: try DeviceIdentity.generate(), seed: seed),
                                      interfaces: .loopbackOnly, highWaterMark: highWaterMark)
    let b = try await RTCDriver.start(configuration: PeerConnectionConfiguration(identity: try DeviceIdentity.generate(), seed: seed &+ 1),
                                      interfaces: .loopbackOnly)
    return (a, b)
}
