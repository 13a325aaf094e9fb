import DTLS
import Testing
import WireKit

@Suite struct DeviceIDTests {
    /// Syncthing's own test vector (lib/protocol/deviceid_test.go): our check characters match theirs.
    static let syncthingFormatted = "P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2"

    @Test func parsesAndFormatsSyncthingVector() throws {
        let id = try DeviceID(parsing: Self.syncthingFormatted)
        #expect(id.description == Self.syncthingFormatted)
        #expect(id.shortID == "P56IOI7")
        #expect(id.digest.count == 32)
    }

    @Test(arguments: [
        "p56ioi7-mzjnu2y-iqgdrey-dm2mgti-mgl3bxn-pq6w5bm-tbbz4tj-xzwicq2",
        "P56IOI7 MZJNU2Y IQGDREY DM2MGTI MGL3BXN PQ6W5BM TBBZ4TJ XZWICQ2",
        "P56IOI7MZJNU2YIQGDREYDM2MGTIMGL3BXNPQ6W5BMTBBZ4TJXZWICQ2",
        "  P56IOI-7MZJNU2Y-IQGDR-EYDM2M-GTI-MGL3-BXNPQ6-W5BM-TBB-Z4TJXZ-WICQ2 \n",
    ])
    func acceptsWhatPeopleType(text: String) throws {
        #expect(try DeviceID(parsing: text).description == Self.syncthingFormatted)
    }

    @Test func rejectsMissingCheckCharacters() {
        #expect(throws: DeviceIDParseError.missingCheckCharacters) {
            try DeviceID(parsing: "P56IOI7MZJNU2IQGDREYDM2MGTMGL3BXNPQ6W5BTBBZ4TJXZWICQ")
        }
    }

    @Test func rejectsWrongLengthAndBadCharacters() {
        #expect(throws: DeviceIDParseError.wrongLength(count: 1)) { try DeviceID(parsing: "a") }
        #expect(throws: DeviceIDParseError.wrongLength(count: 0)) { try DeviceID(parsing: "") }
        #expect(throws: DeviceIDParseError.invalidCharacter("1", position: 3)) {
            try DeviceID(parsing: "P561OI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2")
        }
        #expect(throws: DeviceIDParseError.checkCharacterMismatch(group: 0)) {
            try DeviceID(parsing: "P56IOI7-MZJNU2Z-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2")
        }
    }

    @Test func roundTripsRandomDigests() throws {
        var rng = SeededRandom(seed: 0xD1D)
        for _ in 0..<200 {
            let id = try #require(DeviceID(digest: rng.bytes(32)))
            #expect(try DeviceID(parsing: id.description) == id, "seed 0xD1D, id \(id)")
            #expect(try DeviceID(parsing: id.description.lowercased()) == id)
        }
    }

    /// Every substitution of one character by another base32 character, at every position of
    /// a sample of IDs, is rejected.
    @Test func everySingleCharacterTypoIsDetected() throws {
        var rng = SeededRandom(seed: 42)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var tried = 0
        for _ in 0..<25 {
            let id = try #require(DeviceID(digest: rng.bytes(32)))
            let text = Array(id.compactString)
            for position in text.indices {
                for replacement in alphabet where replacement != text[position] {
                    var typo = text
                    typo[position] = replacement
                    tried += 1
                    do {
                        let parsed = try DeviceID(parsing: String(typo))
                        Issue.record("typo accepted: \(String(typo)) parsed as \(parsed) (seed 42)")
                    } catch {
                        #expect(error != .missingCheckCharacters)
                    }
                }
            }
        }
        #expect(tried == 25 * 56 * 31)
    }

    @Test func deviceIDIsSHA256OfCertificate() throws {
        let identity = try DeviceIdentity.generate()
        #expect(identity.deviceID == DeviceID(certificateDER: identity.certificateDER))
        #expect(identity.deviceID.fingerprint == CertificateFingerprint(certificateDER: identity.certificateDER))
    }
}

@Suite struct CertificateFingerprintTests {
    @Test func sdpRoundTrip() throws {
        let identity = try DeviceIdentity.generate()
        let fingerprint = identity.fingerprint
        let sdp = fingerprint.sdpValue
        #expect(sdp.hasPrefix("sha-256 "))
        #expect(sdp.count == "sha-256 ".count + 32 * 3 - 1)
        #expect(try CertificateFingerprint(sdp: sdp) == fingerprint)
        #expect(try CertificateFingerprint(sdp: sdp.lowercased().replacingOccurrences(of: "sha-256", with: "SHA-256")) == fingerprint)
        #expect(fingerprint.matches(certificateDER: identity.certificateDER))
        #expect(identity.fingerprints == [fingerprint])
    }

    @Test func knownVector() throws {
        // SHA-256 of "abc", as a fingerprint of those three bytes.
        let f = CertificateFingerprint(certificateDER: Array("abc".utf8))
        #expect(f.sdpValue == "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD")
    }

    @Test func rejectsMalformed() {
        #expect(throws: CertificateFingerprintParseError.malformed) { try CertificateFingerprint(sdp: "sha-256") }
        #expect(throws: CertificateFingerprintParseError.malformed) { try CertificateFingerprint(sdp: "sha-256 AB:CD:G0") }
        #expect(throws: CertificateFingerprintParseError.unsupportedAlgorithm("md5")) { try CertificateFingerprint(sdp: "md5 AB:CD") }
        #expect(throws: CertificateFingerprintParseError.wrongDigestLength(expected: 32, actual: 2)) {
            try CertificateFingerprint(sdp: "sha-256 AB:CD")
        }
    }
}
