import Testing

/// Runs and checks shared by the aiortc and Chromium suites (the same scenario against each
/// remote implementation; `remote` makes that peer's command).
enum InteropChecks {
    typealias Remote = ([String]) throws -> PeerPair.Command

    /// Runs `pair`; the peer at index `sink` received all `bytes` the other one sent, unchanged.
    static func expectTransfer(_ pair: PeerPair, bytes: Int, sink: Int = 1, timeout: Double = 90) async throws {
        let r = try await pair.run(timeout: timeout)
        let source = 1 - sink
        #expect(r[sink].int("bytes_received") == bytes,
                "peer 0:\n\(pair.log(0).suffix(6000))\n---\npeer 1:\n\(pair.log(1).suffix(12000))")
        #expect(r[source].string("sent_sha256") == r[sink].string("received_sha256"))
    }

    /// `offer` sources `bytes` (with `sourceArguments`) to `answer`'s sink; `both` goes to each.
    static func offerSourceToAnswerSink(_ offer: Remote, _ answer: Remote, bytes: Int, sourceArguments: [String] = [],
                                        both: [String] = [], timeout: Double = 90) async throws {
        try await expectTransfer(PeerPair(try offer(["--role", "offer", "--mode", "source", "--bytes", "\(bytes)"] + sourceArguments + both),
                                          try answer(["--role", "answer", "--mode", "sink"] + both)),
                                 bytes: bytes, timeout: timeout)
    }

    /// Runs `pair` (peer 0 sources with `--expect-echo`): everything came back unchanged.
    static func expectEcho(_ pair: PeerPair, bytes: Int, timeout: Double = 90) async throws {
        let r = try await pair.run(timeout: timeout)
        #expect(r[0].int("bytes_received") == bytes && r[0].string("sent_sha256") == r[0].string("received_sha256"))
    }

    /// An unordered channel with maxRetransmits 0 from `remote` (the browser-side peer) to an
    /// rtc-peer sink: messages may be lost or reordered, but each one that arrives is whole
    /// (16 KiB), and no more arrive than were sent.
    static func unorderedWithoutRetransmissions(from remote: Remote, bytes: Int) async throws {
        let pair = PeerPair(try remote(["--role", "offer", "--mode", "source", "--bytes", "\(bytes)", "--message-size", "16384",
                                        "--unordered", "--max-retransmits", "0"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run(timeout: 120)
        let received = r[1].int("bytes_received") ?? 0
        #expect(received > 0 && received % 16_384 == 0 && received <= bytes)
        #expect(pair.log(1).contains("datachannel"))
    }
}
