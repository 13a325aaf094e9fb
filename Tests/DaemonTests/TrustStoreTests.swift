import DTLS
import Daemon
import Foundation
import Testing

@Suite struct TrustStoreTests {
    @Test func pairedDevicesPersistAndOnlyTheirFingerprintIsAdmitted() throws {
        let dir = TempDir()
        let alice = try DeviceIdentity.generate()
        let mallory = try DeviceIdentity.generate()
        var store = try TrustStore(path: dir.path + "/devices.json")
        let added = try store.add(id: alice.deviceID.compactString, name: "alice")
        #expect(added.id == alice.deviceID.description)
        try store.rename(id: alice.deviceID.description, to: "alice-laptop")

        let reloaded = try TrustStore(path: dir.path + "/devices.json")
        #expect(reloaded.devices[alice.deviceID.description]?.name == "alice-laptop")
        #expect(reloaded.admit(fingerprint: alice.fingerprint) == alice.deviceID.description)
        #expect(reloaded.admit(fingerprint: mallory.fingerprint) == nil)
        #expect(reloaded.admit(fingerprint: CertificateFingerprint(algorithm: .sha384, digest: alice.fingerprint.digest + Array(repeating: 0, count: 16))) == nil)
        #expect(!reloaded.isTrusted(mallory.deviceID.description))

        var again = reloaded
        try again.remove(id: alice.deviceID.description)
        #expect(try TrustStore(path: dir.path + "/devices.json").devices.isEmpty)
    }

    @Test func typosInDeviceIDsAreRejectedWithAHint() {
        var store = TrustStore()
        do {
            _ = try store.add(id: "NOT-A-DEVICE-ID", name: nil)
            Issue.record("accepted a bad ID")
        } catch {
            #expect(error.httpStatus == 400)
            #expect(error.hint?.contains("syncctl id") == true)
        }
    }
}
