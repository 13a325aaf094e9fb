import DTLS

/// A third certificate for fingerprint-mismatch tests.
enum DeviceIdentityFixture {
    static let other: DeviceIdentity = {
        do { return try DeviceIdentity.generate(commonName: "mallory") } catch { preconditionFailure("key generation failed: \(error)") }
    }()
}
