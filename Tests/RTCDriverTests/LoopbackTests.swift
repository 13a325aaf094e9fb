import DataChannel
import DTLS
import Foundation
import PeerConnection
import RTCDriver
import Testing
import WireKit

/// Two RTCDrivers in one process over loopback UDP: offer/answer and trickled candidates
/// handed over directly, then a backpressured transfer (send suspends above the high-water
/// mark and resumes on bufferedamountlow) and a message back. Bounded by a timeout.
@Suite struct LoopbackTests {
    @Test func transferWithBackpressure() async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let (a, b) = try await startLoopbackDrivers(seed: seed, highWaterMark: 256 * 1024)
        defer { Task { await a.close(); await b.close() } }
        let total = 4 << 20
        let result: (Int, String?) = try await withThrowingTaskGroup(of: (Int, String?)?.self) { group in
            let dc = try await a.createDataChannel("bulk")
            try await a.setFlowControl(dc, lowThreshold: 64 * 1024, highWaterMark: 256 * 1024)
            let offer = try await a.setLocalDescription()
            try await b.setRemoteDescription(offer)
            let answer = try await b.setLocalDescription()
            try await a.setRemoteDescription(answer)
            // Trickle both ways; B receives and counts.
            group.addTask {
                for await event in a.events {
                    if case .iceCandidate(let c) = event { try await b.addIceCandidate(c) }
                    if case .open(let h) = event, h == dc {
                        var chunk = [UInt8](repeating: 0, count: 65_536)
                        for i in 0..<(total / chunk.count) {
                            chunk[0] = UInt8(truncatingIfNeeded: i)
                            try await a.send(chunk, on: dc)
                            let buffered = try await a.bufferedAmount(dc)
                            #expect(buffered <= 256 * 1024 + 65_536, "send returned above the high-water mark")
                        }
                        for await reply in try await a.messages(dc) { return (reply.data.count, reply.text) }
                    }
                }
                return nil
            }
            group.addTask {
                var received = 0
                for await event in b.events {
                    if case .iceCandidate(let c) = event { try await a.addIceCandidate(c) }
                    if case .dataChannel(let h) = event {
                        for await m in try await b.messages(h) {
                            received += m.data.count
                            if received == total { try await b.send(text: "got \(received)", on: h); break }
                        }
                        return (received, nil)
                    }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(120))  // a hang bound above the parallel pass's length
                throw CancellationError()
            }
            var bResult: Int?
            var aText: String?
            while let r = try await group.next() {
                guard let r else { continue }
                if r.1 == nil { bResult = r.0 } else { aText = r.1 }
                if bResult != nil && aText != nil { break }
            }
            group.cancelAll()
            return (bResult ?? 0, aText)
        }
        #expect(result.0 == total)
        #expect(result.1 == "got \(total)")
    }
}
