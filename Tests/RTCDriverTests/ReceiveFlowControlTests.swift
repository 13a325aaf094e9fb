import DataChannel
import DTLS
import PeerConnection
import RTCDriver
import Testing
import WireKit

/// Receive-side flow control (found with the hostile-peer scenario, issue #11): a receiver that
/// does not keep up must hold the sender back through SCTP's receive window instead of
/// buffering everything the sender pushes. Two RTCDrivers over loopback UDP; bounded waits.
@Suite struct ReceiveFlowControlTests {
    @Test func aSlowReceiverClosesTheWindowAndResumes() async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let (a, b) = try await startLoopbackDrivers(seed: seed, highWaterMark: 256 * 1024)
        defer { Task { await a.close(); await b.close() } }
        let total = 24 << 20, limit = 1 << 20, piece = 65_536
        let received: Int = try await withThrowingTaskGroup(of: Int?.self) { group in
            let dc = try await a.createDataChannel("bulk")
            try await a.setFlowControl(dc, lowThreshold: 64 * 1024, highWaterMark: 256 * 1024)
            try await a.setRemoteDescription(try await { try await b.setRemoteDescription(try await a.setLocalDescription()); return try await b.setLocalDescription() }())
            group.addTask {
                for await event in a.events {
                    if case .iceCandidate(let c) = event { try await b.addIceCandidate(c) }
                    if case .open(let h) = event, h == dc {
                        let chunk = [UInt8](repeating: 7, count: piece)
                        for _ in 0..<(total / piece) { try await a.send(chunk, on: dc) }
                        return nil
                    }
                }
                return nil
            }
            group.addTask {
                for await event in b.events {
                    if case .iceCandidate(let c) = event { try await a.addIceCandidate(c) }
                    guard case .dataChannel(let h) = event else { continue }
                    try await b.setReceiveFlowControl(h, limit: limit)
                    var got = 0, consumed = 0
                    var sawClosedWindow = false
                    for await m in try await b.messages(h) {
                        got += m.data.count
                        // The driver pauses once more than `limit` is unconsumed; what is already
                        // inside SCTP's window (4 MiB) may still arrive, never more.
                        #expect(got - consumed <= limit + (4 << 20) + piece, "the receiver buffered \(got - consumed) bytes (seed \(seed))")
                        if !sawClosedWindow && got - consumed > limit {
                            #expect(try await b.withConnection { $0.isReceivePaused }, "not paused with \(got - consumed) bytes unconsumed")
                            // Wait (bounded) for the advertised window to close: the sender is held.
                            for _ in 0..<1_000 {
                                if case .int(let w)? = try await b.getStats()["S01"]?["receiverWindow"], w < piece { sawClosedWindow = true; break }
                                try await Task.sleep(for: .milliseconds(10))
                            }
                            #expect(sawClosedWindow, "the receive window never closed (seed \(seed))")
                            b.consumed(got - consumed, on: h)
                            consumed = got
                        } else if sawClosedWindow {
                            b.consumed(m.data.count, on: h)
                            consumed += m.data.count
                        }
                        if got == total { return got }
                    }
                    return got
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(90))
                throw CancellationError()
            }
            var result = 0
            while let r = try await group.next() {
                if let r { result = r; break }
            }
            group.cancelAll()
            return result
        }
        #expect(received == total, "seed \(seed)")
    }
}
