import Foundation
import Testing

/// rtc-peer against headless Chromium (an RTCPeerConnection in a page, bridged to stdio by
/// contrib/interop/chromium_peer.py), in both roles; data verified by SHA-256.
@Suite(.serialized) struct ChromiumInteropTests {
    static let bytes = 512 * 1024

    @Test(arguments: [16_384, 65_536, 262_144])
    func rtcPeerOffersSourceToChromiumSink(messageSize: Int) async throws {
        try await InteropChecks.offerSourceToAnswerSink(Peers.rtcPeer, Peers.chromium, bytes: Self.bytes,
                                                        sourceArguments: ["--message-size", "\(messageSize)"], timeout: 120)
    }

    @Test(arguments: [16_384, 65_536, 262_144])
    func chromiumOffersSourceToRtcPeerSink(messageSize: Int) async throws {
        try await InteropChecks.offerSourceToAnswerSink(Peers.chromium, Peers.rtcPeer, bytes: Self.bytes,
                                                        sourceArguments: ["--message-size", "\(messageSize)"], timeout: 120)
    }

    /// Chromium echoes what rtc-peer sends; rtc-peer closes the channel once all came back.
    @Test func chromiumEchoes() async throws {
        try await InteropChecks.expectEcho(PeerPair(try Peers.rtcPeer(["--role", "offer", "--mode", "source", "--bytes", "\(Self.bytes)", "--expect-echo"]),
                                                    try Peers.chromium(["--role", "answer", "--mode", "echo"])),
                                           bytes: Self.bytes, timeout: 120)
    }

    /// An unordered channel with maxRetransmits 0 from Chromium (see ``InteropChecks``).
    @Test func unorderedWithoutRetransmissions() async throws {
        try await InteropChecks.unorderedWithoutRetransmissions(from: Peers.chromium, bytes: Self.bytes / 4)
    }

    /// A pre-negotiated channel, Chromium offering, rtc-peer sourcing.
    @Test func negotiatedChannel() async throws {
        try await InteropChecks.expectTransfer(PeerPair(try Peers.chromium(["--role", "offer", "--mode", "sink", "--negotiated-id", "5"]),
                                                        try Peers.rtcPeer(["--role", "answer", "--mode", "source", "--bytes", "\(Self.bytes)", "--negotiated-id", "5"])),
                                               bytes: Self.bytes, sink: 0, timeout: 120)
    }
}
