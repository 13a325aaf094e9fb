import Foundation
import ICE
import ICEDriver
import Testing
import WireKit

/// The host-to-host scenario of the NetSim tests, over real UDP sockets on loopback through the
/// NIO driver (two of our agents, no external peer).
@Suite struct DriverLoopbackTests {
    @Test func twoDriversConnectOverLoopback() async throws {
        let result = try await withTimeout(15, "two drivers on loopback") {
            let a = try await ICEDriver.start(configuration: ICEConfiguration(role: .controlling, seed: .random(in: .min ... .max)),
                                              interfaces: .loopbackOnly)
            let b = try await ICEDriver.start(configuration: ICEConfiguration(role: .controlled, seed: .random(in: .min ... .max)),
                                              interfaces: .loopbackOnly)
            var ea = a.events.makeAsyncIterator(), eb = b.events.makeAsyncIterator()
            let (ca, _) = await CoturnInteropTests.gather(&ea)
            let (cb, _) = await CoturnInteropTests.gather(&eb)
            try await a.setRemoteCredentials(b.localCredentials)
            try await b.setRemoteCredentials(a.localCredentials)
            for c in cb { try await a.addRemoteCandidate(c) }
            for c in ca { try await b.addRemoteCandidate(c) }
            guard await CoturnInteropTests.waitConnected(&ea), await CoturnInteropTests.waitConnected(&eb) else {
                throw InteropError.unexpected("ICE failed on loopback")
            }
            // Datagrams larger than one vectored-read slot would be truncated if the receive
            // buffer were split wrongly: send 1200-byte ones.
            for i in 0..<20 { try await a.send([0x80] + [UInt8](repeating: UInt8(i), count: 1199)) }
            var got = 0
            while got < 20, let event = await eb.next() { if case .data(let d) = event, d.count == 1200 { got += 1 } }
            let pair = try await b.selectedPair()
            await a.close()
            await b.close()
            return (got, ca.map(\.type), pair?.local.type)
        }
        #expect(result.0 == 20)
        #expect(result.1 == [.host])
        #expect(result.2 == .host)
    }

    @Test func interfaceSelectionResolves() throws {
        #expect(try ICEInterfaceSelection.loopbackOnly.resolve() == [.loopbackV4])
        let withLoopback = try ICEInterfaceSelection.all(includeLoopback: true).resolve()
        #expect(withLoopback.contains(.loopbackV4))
        #expect(try ICEInterfaceSelection.all(includeLoopback: false).resolve().allSatisfy { !$0.isLoopback && !$0.isLinkLocal })
    }
}
