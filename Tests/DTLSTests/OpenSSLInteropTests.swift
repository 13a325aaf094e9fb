import DTLS
import Foundation
import Testing
import WireKit

/// Interop on loopback with the real `openssl s_server -dtls1_2` and `openssl s_client -dtls1_2`
/// (Debian's `openssl` package). Each test is bounded by a few seconds and kills its child.
@Suite(.serialized) struct OpenSSLInteropTests {
    /// A temporary directory with an ECDSA P-256 certificate made by `openssl req`.
    final class PeerFiles {
        let directory: String
        let fingerprint: CertificateFingerprint

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-interop-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = try runOpenSSL(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
                                "-days", "2", "-subj", "/CN=openssl-peer"])
            _ = try runOpenSSL(["x509", "-in", directory + "/cert.pem", "-outform", "DER", "-out", directory + "/cert.der"])
            let der = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/cert.der")))
            fingerprint = CertificateFingerprint(certificateDER: der)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    static let srtpArguments = ["-use_srtp", "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
                                "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56"]

    /// The exporter output as `openssl` prints it (`Keying material: HEX`).
    static func hex(_ keys: SRTPKeyingMaterial) -> String {
        (keys.clientWriteKey + keys.serverWriteKey + keys.clientWriteSalt + keys.serverWriteSalt)
            .map { String(format: "%02X", $0) }.joined()
    }

    /// Waits (bounded, while pumping the endpoint) until the child printed `needle`.
    func waitFor(_ needle: String, in child: OpenSSLChild, endpoint: DTLSEndpoint, socket: LoopbackUDPSocket,
                 received: Inbox, limit: Duration = .seconds(5)) -> Bool {
        pump(endpoint, socket, received: received, limit: limit) { child.text.contains(needle) }
    }

    /// Starts `openssl s_server -dtls1_2` on an ephemeral loopback port with the files'
    /// certificate and `extra` arguments; returns it with a socket aimed at it once it accepts.
    func startServer(_ files: PeerFiles, _ extra: [String]) throws -> (server: OpenSSLChild, socket: LoopbackUDPSocket) {
        let server = try OpenSSLChild(arguments: ["s_server", "-dtls1_2", "-accept", "127.0.0.1:0",
                                                  "-cert", "cert.pem", "-key", "key.pem", "-naccept", "1"] + extra,
                                      directory: files.directory)
        let socket = try LoopbackUDPSocket()
        // "ACCEPT 127.0.0.1:PORT"
        let started = waitUntil { server.text.contains("ACCEPT") }
        guard started, let line = server.text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
              let port = UInt16(line.split(separator: ":").last ?? "") else {
            server.stop()
            Issue.record("s_server did not start: \(server.text)")
            throw OpenSSLServerNotStarted()
        }
        socket.peer = LoopbackUDPSocket.loopback(port: port)
        return (server, socket)
    }

    struct OpenSSLServerNotStarted: Error {}

    @Test func ourClientAgainstOpenSSLServer() throws {
        let files = try PeerFiles()
        let identity = try DeviceIdentity.generate()
        let (server, socket) = try startServer(files, ["-Verify", "1", "-mtu", "1200"] + Self.srtpArguments)
        defer { server.stop() }
        let received = Inbox()

        var config = DTLSConfiguration(role: .client, identity: identity, remoteFingerprints: [files.fingerprint])
        config.initialRetransmissionTimeout = .milliseconds(50)
        let client = try DTLSEndpoint(configuration: config)
        client.start(now: .monotonicNow())
        pump(client, socket, received: received) { client.state == .connected || client.state == .failed }
        try #require(client.state == .connected, "\(client.failureDetail ?? "") / \(server.text)")
        #expect(client.cipherSuite == "ECDHE-ECDSA-AES128-GCM-SHA256")

        try client.send(Array("hello from swift\n".utf8))
        #expect(waitFor("hello from swift", in: server, endpoint: client, socket: socket, received: received),
                "server output: \(server.text)")
        let keys = try #require(client.srtpKeyingMaterial)
        #expect(keys.profile == .aeadAES128GCM)
        #expect(server.text.contains("SRTP_AEAD_AES_128_GCM"))
        #expect(server.text.contains(Self.hex(keys)), "server output: \(server.text)")

        server.write("hello from openssl\n")
        pump(client, socket, received: received) { received.contains("hello from openssl\n") }
        #expect(received.contains("hello from openssl\n"))

        client.close()
        #expect(waitFor("CONNECTION CLOSED", in: server, endpoint: client, socket: socket, received: received),
                "server output: \(server.text)")
    }

    @Test func openSSLClientAgainstOurServer() throws {
        let files = try PeerFiles()
        let identity = try DeviceIdentity.generate()
        let socket = try LoopbackUDPSocket()
        var config = DTLSConfiguration(role: .server, identity: identity, remoteFingerprints: [files.fingerprint])
        config.initialRetransmissionTimeout = .milliseconds(50)
        let server = try DTLSEndpoint(configuration: config)
        let client = try OpenSSLChild(arguments: ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)",
                                                  "-cert", "cert.pem", "-key", "key.pem", "-mtu", "1200"] + Self.srtpArguments,
                                      directory: files.directory)
        defer { client.stop() }
        let received = Inbox()
        pump(server, socket, received: received) { server.state == .connected || server.state == .failed }
        try #require(server.state == .connected, "\(server.failureDetail ?? "") / \(client.text)")
        #expect(server.remoteCertificateDER.map { files.fingerprint.matches(certificateDER: $0) } == true)
        // Our preference order wins (s_client alone would pick AES256 first).
        #expect(server.cipherSuite == "ECDHE-ECDSA-AES128-GCM-SHA256")
        let keys = try #require(server.srtpKeyingMaterial)
        #expect(waitFor(Self.hex(keys), in: client, endpoint: server, socket: socket, received: received),
                "client output: \(client.text)")

        client.write("hello from openssl\n")
        pump(server, socket, received: received) { received.contains("hello from openssl\n") }
        #expect(received.contains("hello from openssl\n"))
        try server.send(Array("hello from swift\n".utf8))
        #expect(waitFor("hello from swift", in: client, endpoint: server, socket: socket, received: received),
                "client output: \(client.text)")

        server.close()
        #expect(waitFor("closed", in: client, endpoint: server, socket: socket, received: received),
                "client output: \(client.text)")
    }

    @Test func openSSLClientWithoutCertificateIsRejected() throws {
        let files = try PeerFiles()
        let identity = try DeviceIdentity.generate()
        let socket = try LoopbackUDPSocket()
        let server = try DTLSEndpoint(configuration: DTLSConfiguration(role: .server, identity: identity,
                                                                       remoteFingerprints: [files.fingerprint]))
        let client = try OpenSSLChild(arguments: ["s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)"],
                                      directory: files.directory)
        defer { client.stop() }
        let received = Inbox()
        pump(server, socket, received: received) { server.state == .failed || server.state == .connected }
        #expect(server.state == .failed)
        guard case let .dtlsFailure(alert) = server.error else {
            Issue.record("expected dtlsFailure, got \(String(describing: server.error))")
            return
        }
        #expect(alert?.direction == .sent, "\(String(describing: alert)) \(server.failureDetail ?? "")")
        #expect(server.remoteCertificateDER == nil)
    }

    @Test func openSSLServerWithUnexpectedCertificateFailsFingerprint() throws {
        let files = try PeerFiles()
        let identity = try DeviceIdentity.generate()
        let (server, socket) = try startServer(files, [])
        defer { server.stop() }
        let received = Inbox()
        let client = try DTLSEndpoint(configuration: DTLSConfiguration(role: .client, identity: identity,
                                                                       remoteFingerprints: [identity.fingerprint]))
        client.start(now: .monotonicNow())
        pump(client, socket, received: received) { client.state == .failed || client.state == .connected }
        #expect(client.error == .fingerprintFailure)
    }
}

