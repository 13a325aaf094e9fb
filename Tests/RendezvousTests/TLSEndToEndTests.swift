import DTLS
import Logging
import Signaling
import Testing
@testable import Rendezvous

@Suite("wss:// with OpenSSL TLS on loopback", .serialized, .timeLimit(.minutes(1)))
struct TLSEndToEndTests {
    static func client(_ identity: DeviceIdentity, url: String, trust: TLSClientConfiguration.Trust,
                       serverName: String? = nil) -> SignalingClient {
        var configuration = SignalingClientMachine.Configuration()
        configuration.expectedServerIdentity = "peersync-rendezvous"
        var logger = Logger(label: "tls-client")
        logger.logLevel = .warning
        return SignalingClient(url: url, credential: DeviceIdentityCredential(identity), configuration: configuration,
                               tls: TLSClientConfiguration(trust: trust, serverName: serverName), logger: logger)
    }

    @Test("two clients trusting the test CA authenticate over wss:// and relay a signal both ways")
    func roundTrip() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await withServer({ configuration in
            configuration.tls = TLSServerConfiguration(certificateChainFile: certificates.serverCertificateFile,
                                                       privateKeyFile: certificates.serverKeyFile)
        }) { _, port in
            let alice = Self.client(Devices.alice, url: "wss://127.0.0.1:\(port)/ws", trust: .caFile(certificates.caFile))
            // bob dials by name: the certificate's DNS name is checked, not only its IP address.
            let bob = Self.client(Devices.bob, url: "wss://localhost:\(port)/ws", trust: .caFile(certificates.caFile))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await alice.run() }
                tasks.addTask { await bob.run() }
                var aliceEvents = alice.events.makeAsyncIterator()
                var bobEvents = bob.events.makeAsyncIterator()
                await expectEvent(&aliceEvents) { $0 == .authenticated(Devices.alice.deviceID) }
                await expectEvent(&bobEvents) { $0 == .authenticated(Devices.bob.deviceID) }
                try await alice.send(.signal(to: Devices.bob.deviceID, payload: "offer over TLS"))
                await expectEvent(&bobEvents) { $0 == .message(.signal(from: Devices.alice.deviceID, payload: "offer over TLS")) }
                // A large payload crosses several TLS records.
                let answer = String(repeating: "a", count: 50_000)
                try await bob.send(.signal(to: Devices.alice.deviceID, payload: answer))
                await expectEvent(&aliceEvents) { $0 == .message(.signal(from: Devices.bob.deviceID, payload: answer)) }
                await alice.stop()
                await bob.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("a client trusting another CA, or the system store, refuses the server with a clear reason",
          arguments: ["other-ca", "system"])
    func wrongCA(trusting: String) async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await withServer({ configuration in
            configuration.tls = TLSServerConfiguration(certificateChainFile: certificates.serverCertificateFile,
                                                       privateKeyFile: certificates.serverKeyFile)
        }) { server, port in
            let trust: TLSClientConfiguration.Trust = trusting == "system" ? .system : .caFile(certificates.otherCAFile)
            let client = Self.client(Devices.carol, url: "wss://127.0.0.1:\(port)/ws", trust: trust)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await client.run() }
                var events = client.events.makeAsyncIterator()
                let closed = await nextEvent(&events) { if case .disconnected = $0 { true } else { false } }
                guard case .disconnected(nil, let reason, let retry?) = closed else {
                    Issue.record("expected a refused connection with a retry, got \(String(describing: closed))")
                    return
                }
                #expect(reason == "TLS certificate verification failed for 127.0.0.1: unable to get local issuer certificate")
                #expect(retry > .zero)
                #expect(await server.counts().devices == 0)
                await client.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("a server name that the certificate does not hold is refused")
    func wrongName() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await withServer({ configuration in
            configuration.tls = TLSServerConfiguration(certificateChainFile: certificates.serverCertificateFile,
                                                       privateKeyFile: certificates.serverKeyFile)
        }) { _, port in
            let client = Self.client(Devices.dave, url: "wss://127.0.0.1:\(port)/ws", trust: .caFile(certificates.caFile),
                                     serverName: "rendezvous.example")
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await client.run() }
                var events = client.events.makeAsyncIterator()
                let closed = await nextEvent(&events) { if case .disconnected = $0 { true } else { false } }
                guard case .disconnected(nil, let reason, _) = closed else {
                    Issue.record("expected a refused connection, got \(String(describing: closed))")
                    return
                }
                #expect(reason == "TLS certificate verification failed for rendezvous.example: hostname mismatch")
                await client.stop()
                try await tasks.waitForAll()
            }
        }
    }

    @Test("a server whose key does not match its certificate does not start, and says why")
    func mismatchedKey() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        #expect(throws: TLSError.self) {
            try TLSContext(server: TLSServerConfiguration(certificateChainFile: certificates.serverCertificateFile,
                                                          privateKeyFile: "\(certificates.directory)/ca.key"))
        }
        #expect(throws: TLSError.self) {
            try TLSContext(client: TLSClientConfiguration(trust: .caFile("\(certificates.directory)/missing.pem")))
        }
    }
}
