import Testing
import WireKit
import RTP
@testable import Media

@Suite struct DTMFTests {
    /// Runs a sender on virtual time and feeds its packets (shared SSRC/sequence with Opus) to a receiver.
    static func play(_ tones: String, duration: Int, gap: Int, dropEndOf: Character? = nil)
        throws -> (digits: [ReceivedDTMF], changes: [String], finished: Instant) {
        let t0 = Instant(nanoseconds: 1_000_000_000)
        var sender = DTMFSender(clockRate: 8000, timeBase: t0, timestampBase: 1000)
        var stream = OpusPayloader(ssrc: 5, sequenceNumber: 100, timestamp: 0)
        var receiver = DTMFReceiver(clockRate: 8000)
        try sender.insertDTMF(tones, duration: duration, interToneGap: gap, now: t0)
        var digits: [ReceivedDTMF] = [], changes: [String] = []
        var now = t0
        var steps = 0
        while let due = sender.pollTimeout(), steps < 100_000 {
            steps += 1
            now = max(now, due)
            sender.handle(timeout: now)
            while let out = sender.pollPacket() {
                if out.event.isEnd, let drop = dropEndOf, out.event.tone == drop { continue }
                let packet = stream.makePacket(payloadType: 126, payload: out.event.serialized(), timestamp: out.timestamp, marker: out.marker)
                receiver.handle(try RTPPacket(parsing: packet.serialized()))
            }
            while case .toneChange(let t)? = sender.pollEvent() { changes.append(t) }
            while let d = receiver.pollEvent() { digits.append(d) }
        }
        return (digits, changes, now)
    }

    @Test func digitsArriveInOrderWithTheirDurations() throws {
        let (digits, changes, finished) = try Self.play("12#a", duration: 120, gap: 70)
        #expect(digits.map(\.tone) == ["1", "2", "#", "A"])
        #expect(digits.allSatisfy { $0.duration == .milliseconds(120) })
        #expect(changes == ["1", "2", "#", "A", ""])
        // Timestamps step by duration + gap (190 ms = 1520 ticks at 8 kHz).
        #expect(digits.map(\.timestamp) == [1000, 2520, 4040, 5560])
        #expect(finished == Instant(nanoseconds: 1_000_000_000) + .milliseconds(4 * 190))
    }

    @Test func pausesClampsAndRejects() throws {
        let (digits, changes, finished) = try Self.play("9,0", duration: 10, gap: 5)
        #expect(digits.map(\.tone) == ["9", "0"])
        #expect(digits.allSatisfy { $0.duration == .milliseconds(40) }) // clamped up to 40 ms
        #expect(changes == ["9", ",", "0", ""])
        // 40 + 30 (gap clamped) + 2000 (comma) + 40 + 30.
        #expect(finished == Instant(nanoseconds: 1_000_000_000) + .milliseconds(2140))
        var sender = DTMFSender(timeBase: .zero, timestampBase: 0)
        #expect(throws: DTMFError.invalidCharacter("x")) { try sender.insertDTMF("1x", now: .zero) }
        try sender.insertDTMF("123", now: .zero)
        #expect(sender.toneBuffer == "123")
        sender.handle(timeout: .zero)
        #expect(sender.toneBuffer == "23")
        sender.canInsertDTMF = false
        #expect(throws: DTMFError.invalidState) { try sender.insertDTMF("4", now: .zero) }
    }

    @Test func digitWhoseEndPacketsAreLostIsStillReported() throws {
        let (digits, _, _) = try Self.play("345", duration: 100, gap: 70, dropEndOf: "4")
        #expect(digits.map(\.tone) == ["3", "4", "5"])
        // The last update heard for "4" was at 80 ms (updates every 20 ms; the 100 ms one is the lost end).
        #expect(digits[1].duration == .milliseconds(80))
    }

    @Test func telephoneEventCodec() throws {
        let e = TelephoneEvent(event: 11, isEnd: true, volume: 10, duration: 800)
        #expect(e.serialized() == [11, 0x8A, 0x03, 0x20])
        #expect(try TelephoneEvent(parsing: e.serialized()) == e)
        #expect(e.tone == "#")
        #expect(throws: RTPParseError.self) { try TelephoneEvent(parsing: [1, 2]) }
        var receiver = DTMFReceiver()
        receiver.handle(RTPPacket(payloadType: 126, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: [200, 0x80, 0, 1]))
        #expect(receiver.pollEvent() == nil) // not a DTMF event
    }
}
