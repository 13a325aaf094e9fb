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
        let pair = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--message-size", "\(messageSize)"]),
                            try Peers.aiortc(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run()
        #expect(r[1].int("bytes_received") == Self.bytes, "\(pair.log(0).suffix(2000))")
        #expect(r[0].string("sent_sha256") == r[1].string("received_sha256"))
    }

    @Test(arguments: [16_384, 65_536, 262_144])
    func aiortcOffersSourceToRtcPeerSink(messageSize: Int) async throws {
        let pair = PeerPair(try Peers.aiortc(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--message-size", "\(messageSize)"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run()
        #expect(r[1].int("bytes_received") == Self.bytes, "\(pair.log(1).suffix(2000))")
        #expect(r[0].string("sent_sha256") == r[1].string("received_sha256"))
    }

    /// rtc-peer (answerer) echoes; aiortc (offerer) checks what comes back. Then the roles swap.
    @Test func echoBothRoles() async throws {
        let a = PeerPair(try Peers.aiortc(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                         try Peers.rtcPeer(["--role", "answer", "--mode", "echo"]))
        let r = try await a.run()
        #expect(r[0].int("bytes_received") == Self.bytes && r[0].string("sent_sha256") == r[0].string("received_sha256"))
        let b = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                         try Peers.aiortc(["--role", "answer", "--mode", "echo"]))
        let s = try await b.run()
        #expect(s[0].int("bytes_received") == Self.bytes && s[0].string("sent_sha256") == s[0].string("received_sha256"))
    }

    /// An unordered channel with maxRetransmits 0 (from the browser-side peer): messages may be
    /// lost or reordered, but each one that arrives is whole (16 KiB), and no more arrive than were sent.
    @Test func unorderedWithoutRetransmissions() async throws {
        let pair = PeerPair(try Peers.aiortc(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes / 4)", "--message-size", "16384",
                                              "--unordered", "--max-retransmits", "0"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run(timeout: 120)
        let received = r[1].int("bytes_received") ?? 0
        #expect(received > 0 && received % 16_384 == 0 && received <= Self.bytes / 4)
        #expect(pair.log(1).contains("datachannel"))
    }

    /// A pre-negotiated channel (id 3) on both sides, in both directions.
    @Test func negotiatedChannel() async throws {
        let a = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--negotiated-id", "3"]),
                         try Peers.aiortc(["--role", "answer", "--mode", "sink", "--negotiated-id", "3"]))
        let r = try await a.run()
        #expect(r[0].string("sent_sha256") == r[1].string("received_sha256") && r[1].int("bytes_received") == Self.bytes)
        let b = PeerPair(try Peers.aiortc(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--negotiated-id", "3"]),
                         try Peers.rtcPeer(["--role", "answer", "--mode", "sink", "--negotiated-id", "3"]))
        let s = try await b.run()
        #expect(s[0].string("sent_sha256") == s[1].string("received_sha256") && s[1].int("bytes_received") == Self.bytes)
    }
}
