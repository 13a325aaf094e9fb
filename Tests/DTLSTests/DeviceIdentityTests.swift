import DTLS
import Foundation
import Testing

@Suite struct DeviceIdentityTests {
    /// A fresh temporary directory, removed when `body` returns.
    func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-identity-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try body(dir)
    }

    func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func saveLoadRoundTripWithMode0600() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/identity.pem"
            let identity = try DeviceIdentity.generate()
            try identity.save(to: path)
            #expect(try mode(of: path) == 0o600)
            let loaded = try DeviceIdentity.load(from: path)
            #expect(loaded.certificateDER == identity.certificateDER)
            #expect(loaded.deviceID == identity.deviceID)
            // The loaded key is the same key: it verifies under the original certificate.
            let signature = try loaded.sign(Array("nonce".utf8))
            #expect(DeviceIdentity.verify(signature: signature, data: Array("nonce".utf8), certificateDER: identity.certificateDER))
        }
    }

    @Test func saveTightensAnExistingLooseFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/identity.pem"
            _ = FileManager.default.createFile(atPath: path + ".tmp", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644])
            try DeviceIdentity.generate().save(to: path)
            #expect(try mode(of: path) == 0o600)
        }
    }

    @Test func loadRefusesGroupReadableFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/identity.pem"
            try DeviceIdentity.generate().save(to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
            #expect(throws: IdentityError.insecureFileMode(path: path, mode: 0o640)) { try DeviceIdentity.load(from: path) }
        }
    }

    @Test func loadOrGenerateIsStable() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/identity.pem"
            let first = try DeviceIdentity.loadOrGenerate(at: path)
            let second = try DeviceIdentity.loadOrGenerate(at: path)
            #expect(first.deviceID == second.deviceID)
        }
    }

    @Test func twoIdentitiesDiffer() throws {
        let a = try DeviceIdentity.generate()
        let b = try DeviceIdentity.generate()
        #expect(a.deviceID != b.deviceID)
    }

    @Test func certificateIsSelfSignedP256WithLongValidity() throws {
        let identity = try DeviceIdentity.generate()
        try withTemporaryDirectory { dir in
            let path = dir + "/identity.pem"
            try identity.save(to: path)
            let output = try runOpenSSL(["x509", "-in", path, "-noout", "-text"])
            #expect(output.contains("prime256v1") || output.contains("P-256"))
            #expect(output.contains("Issuer: CN = peersync"))
            #expect(output.contains("Subject: CN = peersync"))
            #expect(output.contains("ecdsa-with-SHA256"))
            let verify = try runOpenSSL(["verify", "-CAfile", path, path])
            #expect(verify.contains("OK"))
        }
    }

    @Test func rejectsGarbagePEM() {
        #expect(throws: IdentityError.self) { try DeviceIdentity(pem: "-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n") }
    }

    @Test func signatureVerifiesGoodAndRejectsBad() throws {
        let identity = try DeviceIdentity.generate()
        let other = try DeviceIdentity.generate()
        let data = Array("rendezvous nonce 1234".utf8)
        let signature = try identity.sign(data)
        #expect(DeviceIdentity.verify(signature: signature, data: data, certificateDER: identity.certificateDER))
        var tamperedData = data
        tamperedData[0] ^= 1
        #expect(!DeviceIdentity.verify(signature: signature, data: tamperedData, certificateDER: identity.certificateDER))
        var tamperedSignature = signature
        tamperedSignature[tamperedSignature.count - 1] ^= 1
        #expect(!DeviceIdentity.verify(signature: tamperedSignature, data: data, certificateDER: identity.certificateDER))
        #expect(!DeviceIdentity.verify(signature: signature, data: data, certificateDER: other.certificateDER))
        #expect(!DeviceIdentity.verify(signature: signature, data: data, certificateDER: [0x30, 0x03, 0x02, 0x01, 0x00]))
        #expect(!DeviceIdentity.verify(signature: [], data: data, certificateDER: identity.certificateDER))
    }
}

/// Runs the `openssl` command-line tool and returns its standard output (stderr merged).
func runOpenSSL(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
