import Foundation
import ICE
import ICEDriver
import Testing
import WireKit

/// The host-to-host scenario of the NetSim tests, over real UDP sockets on loopback through the
/// NIO driver (two of our agents, no external peer).
@Suite struct DriverLoopbackTests {
    @Test func twoDriversConnectOverLoopback() async throws {
        let result = try await withTimeout(120, "two drivers on loopback") {
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

    /// A consumer that stops reading cannot make the driver buffer without bound: past the
    /// backlog, datagrams are dropped (and counted); control events still arrive.
    @Test func slowConsumerBacklogIsBounded() async throws {
        let limit = 64
        let result = try await withTimeout(120, "bounded event backlog") {  // a hang bound (see withTimeout)
            let a = try await ICEDriver.start(configuration: ICEConfiguration(role: .controlling, seed: .random(in: .min ... .max)),
                                              interfaces: .loopbackOnly)
            let b = try await ICEDriver.start(configuration: ICEConfiguration(role: .controlled, seed: .random(in: .min ... .max)),
                                              interfaces: .loopbackOnly, eventBacklog: limit)
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
            // B's consumer does not read while A sends 4 × the backlog (paced in bursts so the
            // loopback socket buffer does not drop them first).
            for burst in 0..<8 {
                for i in 0..<(limit / 2) { try await a.send([0x80, UInt8(burst), UInt8(i)]) }
                _ = try await b.counters()  // a round trip through B's event loop
            }
            for _ in 0..<100 {  // bounded: a round trip through B's loop each
                if try await b.counters().dataReceived >= 4 * limit { break }
                await Task.yield()
            }
            // Closing B on its event loop stops its input: what its agent received by then was
            // either queued for the consumer or dropped.
            await b.close()
            await a.close()
            let received = try await b.counters().dataReceived
            let dropped = b.events.droppedEvents
            var queued = 0
            while let event = await eb.next() {
                switch event {
                case .data, .debug: queued += 1
                default: break
                }
            }
            return (received, dropped, queued)
        }
        #expect(result.0 > limit, "B's agent received only \(result.0) datagrams: the bound was not exercised")
        #expect(result.2 <= limit, "\(result.2) datagrams were queued for a consumer that did not read")
        #expect(result.1 >= result.0 - limit, "only \(result.1) of \(result.0) datagrams dropped")
    }

    @Test func interfaceSelectionResolves() throws {
        #expect(try ICEInterfaceSelection.loopbackOnly.resolve() == [.loopbackV4])
        let withLoopback = try ICEInterfaceSelection.all(includeLoopback: true).resolve()
        #expect(withLoopback.contains(.loopbackV4))
        #expect(try ICEInterfaceSelection.all(includeLoopback: false).resolve().allSatisfy { !$0.isLoopback && !$0.isLinkLocal })
    }
}
