import Foundation
import Testing

/// rtc-peer against headless Chromium (an RTCPeerConnection in a page, bridged to stdio by
/// contrib/interop/chromium_peer.py), in both roles; data verified by SHA-256.
@Suite(.serialized) struct ChromiumInteropTests {
    static let bytes = 512 * 1024

    @Test(arguments: [16_384, 65_536, 262_144])
    func rtcPeerOffersSourceToChromiumSink(messageSize: Int) async throws {
        let pair = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--message-size", "\(messageSize)"]),
                            try Peers.chromium(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run(timeout: 120)
        #expect(r[1].int("bytes_received") == Self.bytes, "chromium:\n\(pair.log(0).suffix(6000))\n---\nrtc-peer:\n\(pair.log(1).suffix(12000))")
        #expect(r[0].string("sent_sha256") == r[1].string("received_sha256"))
    }

    @Test(arguments: [16_384, 65_536, 262_144])
    func chromiumOffersSourceToRtcPeerSink(messageSize: Int) async throws {
        let pair = PeerPair(try Peers.chromium(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--message-size", "\(messageSize)"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run(timeout: 120)
        #expect(r[1].int("bytes_received") == Self.bytes, "chromium:\n\(pair.log(0).suffix(6000))\n---\nrtc-peer:\n\(pair.log(1).suffix(12000))")
        #expect(r[0].string("sent_sha256") == r[1].string("received_sha256"))
    }

    /// Chromium echoes what rtc-peer sends; rtc-peer closes the channel once all came back.
    @Test func chromiumEchoes() async throws {
        let pair = PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                            try Peers.chromium(["--role", "answer", "--mode", "echo"]))
        let r = try await pair.run(timeout: 120)
        #expect(r[0].int("bytes_received") == Self.bytes && r[0].string("sent_sha256") == r[0].string("received_sha256"))
    }

    /// An unordered channel with maxRetransmits 0 (from the browser-side peer): messages may be
    /// lost or reordered, but each one that arrives is whole (16 KiB), and no more arrive than were sent.
    @Test func unorderedWithoutRetransmissions() async throws {
        let pair = PeerPair(try Peers.chromium(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes / 4)", "--message-size", "16384",
                                              "--unordered", "--max-retransmits", "0"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "sink"]))
        let r = try await pair.run(timeout: 120)
        let received = r[1].int("bytes_received") ?? 0
        #expect(received > 0 && received % 16_384 == 0 && received <= Self.bytes / 4)
        #expect(pair.log(1).contains("datachannel"))
    }

    /// A pre-negotiated channel, Chromium offering, rtc-peer sourcing.
    @Test func negotiatedChannel() async throws {
        let pair = PeerPair(try Peers.chromium(["--role", "offer", "--mode", "sink", "--negotiated-id", "5"]),
                            try Peers.rtcPeer(["--role", "answer", "--mode", "source", "--bytes", "\(Self.bytes)", "--negotiated-id", "5"]))
        let r = try await pair.run(timeout: 120)
        #expect(r[0].int("bytes_received") == Self.bytes && r[1].string("sent_sha256") == r[0].string("received_sha256"))
    }
}
