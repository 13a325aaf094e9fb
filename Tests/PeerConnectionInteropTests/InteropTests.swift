import Foundation
import Testing

/// rtc-peer against itself and against aiortc, in both roles, over loopback UDP; data verified
/// by SHA-256 of everything sent and received. Serialized: each test runs two processes.
@Suite(.serialized) struct InteropTests {
    static let bytes = 512 * 1024

    @Test func rtcPeerToRtcPeer() async throws {
        let pair = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run()
        #expect(r[0].int("bytes_sent") == Self.bytes && r[1].int("bytes_received") == Self.bytes)
        #expect(r[0].string("sent_sha256") != nil && r[0].string("sent_sha256") == r[1].string("received_sha256"))
    }

    @Test(arguments: [16_384, 65_536, 262_144])
    func rtcPeerOffersSourceToAiortcSink(messageSize: Int) async throws {
        try await InteropChecks.offerSourceToAnswerSink(Peers.rtcPeer, Peers.aiortc, bytes: Self.bytes,
                                                        sourceArguments: ["--message-size", "\(messageSize)"])
    }

    @Test(arguments: [16_384, 65_536, 262_144])
    func aiortcOffersSourceToRtcPeerSink(messageSize: Int) async throws {
        try await InteropChecks.offerSourceToAnswerSink(Peers.aiortc, Peers.rtcPeer, bytes: Self.bytes,
                                                        sourceArguments: ["--message-size", "\(messageSize)"])
    }

    /// rtc-peer (answerer) echoes; aiortc (offerer) checks what comes back. Then the roles swap.
    @Test func echoBothRoles() async throws {
        try await InteropChecks.expectEcho(PeerPair(try Peers.aiortc(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                                                    try Peers.rtcPeer(["--role", "answer", "--mode", "echo"])), bytes: Self.bytes)
        try await InteropChecks.expectEcho(PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                                                    try Peers.aiortc(["--role", "answer", "--mode", "echo"])), bytes: Self.bytes)
    }

    /// An unordered channel with maxRetransmits 0 from aiortc (see ``InteropChecks``).
    @Test func unorderedWithoutRetransmissions() async throws {
        try await InteropChecks.unorderedWithoutRetransmissions(from: Peers.aiortc, bytes: Self.bytes / 4)
    }

    /// A pre-negotiated channel (id 3) on both sides, in both directions.
    @Test func negotiatedChannel() async throws {
        try await InteropChecks.offerSourceToAnswerSink(Peers.rtcPeer, Peers.aiortc, bytes: Self.bytes, both: ["--negotiated-id", "3"])
        try await InteropChecks.offerSourceToAnswerSink(Peers.aiortc, Peers.rtcPeer, bytes: Self.bytes, both: ["--negotiated-id", "3"])
    }
}
