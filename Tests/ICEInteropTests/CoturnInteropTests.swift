import Foundation
import ICE
import ICEDriver
import Testing
import WireKit

/// Our TURN client against a real coturn on 127.0.0.1: two agents with policy `relay` connect
/// through it and exchange data; wrong credentials give a clear error.
@Suite(.serialized) struct CoturnInteropTests {
    /// Starts `turnserver` on a random port with a static long-term user; the caller kills it and
    /// removes the returned directory (its log, pid file and database).
    static func startCoturn() throws -> (ExternalProcess, UInt16, String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/turnserver") else {
            throw InteropError.missing("coturn is not installed: run contrib/setup.sh (Debian package coturn)")
        }
        let port = UInt16.random(in: 20_000...29_999)
        let base = Int.random(in: 30_000...59_000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("peersync-coturn-\(port)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let process = try ExternalProcess(executable: "/usr/bin/turnserver", arguments: [
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=\(port)",
            "--min-port=\(base)", "--max-port=\(base + 200)", "--user=test:secret", "--realm=peersync.test",
            "--lt-cred-mech", "--fingerprint", "--no-tls", "--no-dtls", "--allow-loopback-peers", "--no-cli",
            "--no-stdout-log", "--log-file=\(dir)/turn.log", "--simple-log", "--pidfile=\(dir)/turn.pid",
            "--db=\(dir)/turndb.sqlite",
        ], captureOutput: false)
        return (process, port, dir)
    }

    static func relayConfiguration(_ role: ICERole, port: UInt16, password: String = "secret") -> ICEConfiguration {
        ICEConfiguration(role: role, turnServers: [TURNServer(address: TransportAddress(ip: .loopbackV4, port: port), username: "test", password: password)],
                         transportPolicy: .relay, seed: UInt64.random(in: .min ... .max))
    }

    /// Collects candidates until gathering completes; returns them and any server errors.
    static func gather(_ events: inout ICEEventStream.AsyncIterator) async -> ([Candidate], [ICEError]) {
        var candidates: [Candidate] = [], errors: [ICEError] = []
        while let event = await events.next() {
            switch event {
            case .candidateGathered(let c): candidates.append(c)
            case .serverError(let e): errors.append(e)
            case .gatheringStateChanged(.complete): return (candidates, errors)
            default: continue
            }
        }
        return (candidates, errors)
    }

    static func waitConnected(_ events: inout ICEEventStream.AsyncIterator) async -> Bool {
        while let event = await events.next() {
            if case .connectionStateChanged(let s) = event {
                if s == .connected || s == .completed { return true }
                if s == .failed { return false }
            }
        }
        return false
    }

    @Test func twoRelayOnlyAgentsConnectThroughCoturn() async throws {
        let (coturn, port, dir) = try Self.startCoturn()
        defer { coturn.terminate(); try? FileManager.default.removeItem(atPath: dir) }
        let result = try await withTimeout(120, "ICE through coturn") {
            let a = try await ICEDriver.start(configuration: Self.relayConfiguration(.controlling, port: port), interfaces: .loopbackOnly)
            let b = try await ICEDriver.start(configuration: Self.relayConfiguration(.controlled, port: port), interfaces: .loopbackOnly)
            var ea = a.events.makeAsyncIterator(), eb = b.events.makeAsyncIterator()
            let (ca, errorsA) = await Self.gather(&ea)
            let (cb, errorsB) = await Self.gather(&eb)
            guard errorsA.isEmpty, errorsB.isEmpty, !ca.isEmpty, !cb.isEmpty else {
                throw InteropError.unexpected("allocation failed: \(errorsA) \(errorsB)")
            }
            try await a.setRemoteCredentials(b.localCredentials)
            try await b.setRemoteCredentials(a.localCredentials)
            for c in cb { try await a.addRemoteCandidate(try Candidate(sdp: c.sdpLine)) }
            for c in ca { try await b.addRemoteCandidate(try Candidate(sdp: c.sdpLine)) }
            guard await Self.waitConnected(&ea), await Self.waitConnected(&eb) else { throw InteropError.unexpected("ICE failed") }
            for i in 0..<5 { try await a.send([0x80, UInt8(i)]) }
            var got: [[UInt8]] = []
            while got.count < 5, let event = await eb.next() { if case .data(let d) = event { got.append(d) } }
            try await b.send([0x80, 0xFF])
            var back: [UInt8] = []
            while back.isEmpty, let event = await ea.next() { if case .data(let d) = event { back = d } }
            let pair = try await a.selectedPair()
            await a.close()
            await b.close()
            return (ca.map(\.type), got, back, pair?.local.type)
        }
        #expect(result.0.allSatisfy { $0 == .relayed })
        #expect(result.1 == (0..<5).map { [0x80, UInt8($0)] })
        #expect(result.2 == [0x80, 0xFF])
        #expect(result.3 == .relayed)
    }

    @Test func wrongCredentialsGiveAClearError() async throws {
        let (coturn, port, dir) = try Self.startCoturn()
        defer { coturn.terminate(); try? FileManager.default.removeItem(atPath: dir) }
        let errors = try await withTimeout(120, "coturn rejection") {
            let a = try await ICEDriver.start(configuration: Self.relayConfiguration(.controlling, port: port, password: "wrong"),
                                              interfaces: .loopbackOnly)
            var ea = a.events.makeAsyncIterator()
            let (candidates, errors) = await Self.gather(&ea)
            await a.close()
            return (candidates.count, errors)
        }
        #expect(errors.0 == 0)
        guard case .turnAllocationFailed(_, let code, let reason)? = errors.1.first else {
            Issue.record("expected turnAllocationFailed, got \(errors.1)")
            return
        }
        #expect(code == 401, "coturn said \(code) \(reason)")
    }
}
