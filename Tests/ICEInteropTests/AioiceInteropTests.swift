import Foundation
import ICE
import ICEDriver
import Testing
import WireKit

/// Our agent, through the NIO driver on loopback, completes ICE with aioice (aiortc's ICE
/// library) in both roles and exchanges application datagrams over the selected pair.
@Suite(.serialized) struct AioiceInteropTests {
    @Test(arguments: [ICERole.controlling, .controlled])
    func connectAndExchange(role: ICERole) async throws {
        let python = try InteropEnvironment.python()
        let script = InteropEnvironment.packageRoot() + "/contrib/interop/aioice_peer.py"
        let peer = try ExternalProcess(executable: python, arguments: [script, "--role", role.opposite.rawValue, "--timeout", "110"])   // hang bounds (see withTimeout)
        defer { peer.terminate() }
        let seed = UInt64.random(in: .min ... .max)
        let summary = try await withTimeout(120, "ICE with aioice (\(role))") {
            var lines = peer.lines.makeAsyncIterator()
            guard let line = await lines.next(), let local = PeerMessage(line: line), local.type == "local",
                  let ufrag = local.text["ufrag"], let pwd = local.text["pwd"] else {
                throw InteropError.unexpected("aioice did not report its candidates")
            }
            let driver = try await ICEDriver.start(configuration: ICEConfiguration(role: role, seed: seed), interfaces: .loopbackOnly)
            var events = driver.events.makeAsyncIterator()
            var ours: [String] = []
            gathering: while let event = await events.next() {
                switch event {
                case .candidateGathered(let c): ours.append(c.sdpLine)
                case .gatheringStateChanged(.complete): break gathering
                default: continue
                }
            }
            peer.send(["type": "remote", "ufrag": driver.localCredentials.ufrag, "pwd": driver.localCredentials.password,
                       "candidates": ours])
            try await driver.setRemoteCredentials(ICECredentials(ufrag: ufrag, password: pwd))
            for sdp in local.candidates { try await driver.addRemoteCandidate(try Candidate(sdp: sdp)) }
            try await driver.setRemoteGatheringComplete()

            var connected = false
            connecting: while !connected, let event = await events.next() {
                if case .connectionStateChanged(let s) = event {
                    connected = s == .connected || s == .completed
                    if s == .failed { break connecting }
                }
            }
            guard connected else { throw InteropError.unexpected("not connected") }
            // Datagrams are not reliable, even on a loaded loopback: send the pings again every
            // 250 ms until each has come back (aioice's one-off hello may be lost the same way).
            let resend = Task {
                while !Task.isCancelled {
                    for i in 0..<5 { try? await driver.send(Array("ping \(i)".utf8)) }
                    try? await Task.sleep(for: .milliseconds(250))
                }
            }
            defer { resend.cancel() }
            var echoes = Set<String>()
            while echoes.count < 5, let event = await events.next() {
                if case .data(let d) = event, let s = String(validating: d, as: UTF8.self), s.hasPrefix("echo:") { echoes.insert(s) }
            }
            resend.cancel()
            let pair = try await driver.selectedPair()
            peer.send(["type": "close"])
            await driver.close()
            return (echoes, pair?.remote.address.ip)
        }
        #expect(summary.0 == Set((0..<5).map { "echo:ping \($0)" }), "seed \(seed)")
        #expect(summary.1 == .loopbackV4)
    }
}
