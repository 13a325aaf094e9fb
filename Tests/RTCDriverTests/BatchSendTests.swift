import DataChannel
import DTLS
import PeerConnection
import RTCDriver
import Testing
import WireKit

/// `send(batch:on:)`: several messages in one hop arrive whole and in order (sizes from a
/// seeded generator, from 1 byte to 64 KiB), and the call holds the sender back like `send`
/// (it returns only with `bufferedAmount` at or below the high-water mark plus the batch).
/// The receiver reads them one by one (`messages`) or a read burst at a time
/// (`messageBatches`: no empty batch, the same messages in the same order).
/// Two RTCDrivers over loopback UDP; bounded by a timeout.
@Suite struct BatchSendTests {
    @Test(arguments: [false, true])
    func batchesArriveWholeAndInOrder(receiveInBatches: Bool) async throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        let batches = Self.batches(seed: seed)
        let expected = batches.flatMap { $0 }
        let hwm = 128 * 1024
        let (a, b) = try await startLoopbackDrivers(seed: seed, highWaterMark: hwm)
        defer { Task { await a.close(); await b.close() } }
        let received: [[UInt8]] = try await withThrowingTaskGroup(of: [[UInt8]]?.self) { group in
            let dc = try await a.createDataChannel("batch")
            try await a.setFlowControl(dc, lowThreshold: 32 * 1024, highWaterMark: hwm)
            try await a.setRemoteDescription(try await { try await b.setRemoteDescription(try await a.setLocalDescription()); return try await b.setLocalDescription() }())
            group.addTask {
                for await event in a.events {
                    if case .iceCandidate(let c) = event { try await b.addIceCandidate(c) }
                    if case .open(let h) = event, h == dc {
                        for batch in batches {
                            try await a.send(batch: batch, on: dc)
                            let buffered = try await a.bufferedAmount(dc)
                            #expect(buffered <= hwm + batch.reduce(0) { $0 + $1.count }, "send(batch:) returned above the high-water mark (seed \(seed))")
                        }
                        return nil
                    }
                }
                return nil
            }
            group.addTask {
                var got: [[UInt8]] = []
                for await event in b.events {
                    if case .iceCandidate(let c) = event { try await a.addIceCandidate(c) }
                    guard case .dataChannel(let h) = event else { continue }
                    if receiveInBatches {
                        for await batch in try await b.messageBatches(h) {
                            #expect(!batch.isEmpty, "an empty batch (seed \(seed))")
                            got += batch.map(\.data)
                            if got.count >= expected.count { return got }
                        }
                        return got
                    }
                    for await m in try await b.messages(h) {
                        got.append(m.data)
                        if got.count == expected.count { return got }
                    }
                    return got
                }
                return got
            }
            group.addTask {
                try await Task.sleep(for: .seconds(120))  // a hang bound above the parallel pass's length
                throw CancellationError()
            }
            var result: [[UInt8]] = []
            while let r = try await group.next() {
                if let r { result = r; break }
            }
            group.cancelAll()
            return result
        }
        #expect(received.count == expected.count, "seed \(seed)")
        #expect(received == expected, "messages differ or are out of order (seed \(seed))")
    }

    /// 60 batches of 1–40 messages; each starts with its 4-byte index (big-endian).
    static func batches(seed: UInt64) -> [[[UInt8]]] {
        var rng = SeededRandom(seed: seed)
        var batches: [[[UInt8]]] = []
        var counter: UInt32 = 0
        for _ in 0..<60 {
            var batch: [[UInt8]] = []
            for _ in 0..<Int(rng.next() % 40 + 1) {
                let size = rng.next() % 4 == 0 ? Int(rng.next() % 65_536) + 4 : Int(rng.next() % 200) + 4
                var m = [UInt8](repeating: UInt8(truncatingIfNeeded: counter), count: size)
                withUnsafeBytes(of: counter.bigEndian) { for i in 0..<4 { m[i] = $0[i] } }
                counter += 1
                batch.append(m)
            }
            batches.append(batch)
        }
        return batches
    }
}
