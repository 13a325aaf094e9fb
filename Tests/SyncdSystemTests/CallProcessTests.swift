import ControlAPI
import Foundation
import Media
import MediaTestSupport
import Testing

/// Calls between two real daemons on loopback, driven with `syncctl` as people would: A rings B
/// with a 440 Hz tone, B sees it in `status`, `status --json` and `watch`, accepts with a WAV
/// output, the tone arrives at the right pitch, hangup ends the call on both sides, and a file
/// sync that runs during the call completes byte-identical.
@Suite(.serialized) struct CallProcessTests {
    /// Two paired daemons sharing folder `share`, connected; returns (cluster, idA, idB, pathA, pathB).
    static func pairedCluster() async throws -> (ProcessCluster, String, String, String, String) {
        let cluster = try ProcessCluster()
        let d = try await cluster.startPaired([("a", "ay"), ("b", "bee")])
        return (cluster, d[0].id, d[1].id, d[0].folder, d[1].folder)
    }

    /// The m-lines (`kind:port:mid`) of each renegotiation offer the daemons logged, in order.
    static func renegotiationOffers(_ logs: String) -> [[String]] {
        logs.components(separatedBy: "renegotiation offer sent (m-lines: ").dropFirst().map { rest in
            (rest.split(separator: ")").first ?? "").split(separator: " ").map(String.init)
        }
    }

    static func call(_ c: ControlClient) async throws -> CallStatus {
        try await off { try c.request("GET", "/call", as: CallStatus.self) }
    }

    @Test(.timeLimit(.minutes(2)))
    func toneCallWithSyncRunning() async throws {
        let (cluster, idA, idB, pathA, pathB) = try await Self.pairedCluster()
        let a = cluster.client("a"), b = cluster.client("b")
        let (_, watchOut) = try cluster.startSyncctl("b", ["watch", "--events"])
        #expect(await poll(timeout: .seconds(10)) { ((try? String(contentsOfFile: watchOut, encoding: .utf8)) ?? "").contains("hello") })

        // Clear errors before any call.
        let noCall = try await cluster.syncctl("a", ["call", "hangup"])
        #expect(noCall.status == 65 && noCall.output.contains("no call in progress"), "\(noCall.output)")
        let unknown = try await cluster.syncctl("a", ["call", "nobody"])
        #expect(unknown.status == 65 && unknown.output.contains("no paired device nobody"), "\(unknown.output)")
        let c = try cluster.startDaemon("c")
        let idC = try await SyncdProcessTests.identity(c).deviceID
        await cluster.stop("c")
        _ = try await off { try a.request("POST", "/devices", body: AddDeviceRequest(id: idC, name: "sea"), as: DeviceInfo.self) }
        let offline = try await cluster.syncctl("a", ["call", "sea"])
        #expect(offline.status == 65 && offline.output.contains("device sea is not connected"), "\(offline.output)")

        // A rings B (by name); B shows the incoming call in status, status --json and watch.
        let ring = try await cluster.syncctl("a", ["call", "bee", "--input", "tone:440"])
        #expect(ring.status == 0 && ring.output.contains("ringing bee"), "\(ring.output)")
        let ringing = await poll(timeout: .seconds(10)) { try await Self.call(b).state == "ringing-in" }
        #expect(ringing, "B does not ring\n\(cluster.allLogs())")
        #expect(try await Self.call(a).state == "ringing-out")
        let human = try await cluster.syncctl("b", ["status"])
        #expect(human.output.contains("Call from ay is ringing"), "\(human.output)")
        let json = try await cluster.syncctl("b", ["status", "--json"])
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(json.output.utf8))
        #expect(report.call?.state == "ringing-in" && report.call?.device == idA, "\(json.output)")
        #expect(await poll(timeout: .seconds(5)) {
            ((try? String(contentsOfFile: watchOut, encoding: .utf8)) ?? "").contains(#""message":"incoming","time""#)
        }, "watch --events did not show the ring")
        let again = try await cluster.syncctl("a", ["call", idB])
        #expect(again.status == 65 && again.output.contains("already active"), "\(again.output)")

        // B accepts into a WAV file; a 12 MiB file syncs from A to B during the call.
        let wav = cluster.root + "/b-out.wav"
        let accept = try await cluster.syncctl("b", ["call", "accept", "--output", wav])
        #expect(accept.status == 0, "\(accept.output)")
        try SyncdProcessTests.write(pathA + "/during-call.bin", SyncdProcessTests.bytes(12 << 20, seed: 44))
        let flowing = await poll(timeout: .seconds(20)) {
            let sa = try await Self.call(a), sb = try await Self.call(b)
            return sa.state == "active" && sb.state == "active" && sb.framesPlayed >= 150 && sa.framesSent >= 150
        }
        let seen = try? await Self.call(b)
        #expect(flowing, "audio did not flow: \(String(describing: seen))\n\(cluster.allLogs())")
        // The output WAV is written as the call goes: already valid, with seconds of audio in it.
        let partial = try WAVFile.read(path: wav)
        #expect(partial.sampleRate == 48000 && partial.samples.count >= 48000, "B's WAV holds \(partial.samples.count) samples mid-call")
        let acceptAgain = try await cluster.syncctl("b", ["call", "accept"])
        #expect(acceptAgain.status == 65 && acceptAgain.output.contains("not ringing"), "\(acceptAgain.output)")

        // DTMF from A arrives at B as events, in order; a bad digit is refused.
        let bad = try await cluster.syncctl("a", ["call", "dtmf", "12x"])
        #expect(bad.status == 65 && bad.output.contains("not a DTMF digit"), "\(bad.output)")
        let dtmf = try await cluster.syncctl("a", ["call", "dtmf", "159#*", "--duration", "80", "--gap", "50"])
        #expect(dtmf.status == 0, "\(dtmf.output)")
        let digits = await poll(timeout: .seconds(10)) { try await Self.call(b).dtmfReceived == "159#*" }
        let got = try? await Self.call(b).dtmfReceived
        #expect(digits, "B received DTMF \(String(describing: got))\n\(cluster.allLogs())")
        let events = ((try? String(contentsOfFile: watchOut, encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(ControlEvent.self, from: Data($0.utf8)) }
            .filter { $0.type == "call-dtmf" }
        #expect(events.map { $0.message ?? "" }.joined() == "159#*" && events.allSatisfy { $0.device == idA }, "\(events)")

        // A hangs up: the call ends on both sides and B writes its WAV.
        #expect(try await cluster.syncctl("a", ["call", "hangup"]).status == 0)
        let ended = await poll(timeout: .seconds(10)) {
            let sa = try await Self.call(a), sb = try await Self.call(b)
            return sa.state == "idle" && sb.state == "idle"
        }
        #expect(ended, "\(cluster.allLogs())")
        #expect(try await Self.call(b).lastEnded == "hung up by the other device")
        let out = try WAVFile(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: wav))))
        #expect(out.sampleRate == 48000 && out.samples.count >= 48000 * 2, "B wrote \(out.samples.count) samples")
        let peak = peakFrequency(out.samples.suffix(48000), low: 100, high: 2000)
        #expect(abs(peak - 440) <= 5, "B heard \(peak) Hz")
        #expect(await poll(timeout: .seconds(5)) {
            ((try? String(contentsOfFile: watchOut, encoding: .utf8)) ?? "").contains("call-ended")
        }, "watch --events did not show the end of the call")

        // The other way round (the other side of the offer/answer roles, the same transceiver
        // reused): B rings A, A first rejects, then takes a second call with a 660 Hz tone.
        #expect(try await cluster.syncctl("b", ["call", "ay", "--input", "tone:660"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(a).state == "ringing-in" })
        #expect(try await cluster.syncctl("a", ["call", "reject"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(b).lastEnded == "rejected by the other device" })
        #expect(try await cluster.syncctl("b", ["call", idA, "--input", "tone:660"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(a).state == "ringing-in" })
        let wavA = cluster.root + "/a-out.wav"
        #expect(try await cluster.syncctl("a", ["call", "accept", "--output", wavA, "--input", "null"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(a).framesPlayed >= 100 })
        #expect(try await cluster.syncctl("b", ["call", "hangup"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(a).state == "idle" })
        let outA = try WAVFile(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: wavA))))
        let peakA = peakFrequency(outA.samples.suffix(48000), low: 100, high: 2000)
        #expect(abs(peakA - 660) <= 5, "A heard \(peakA) Hz")
        // Every call added an audio transceiver by renegotiation and every end stopped it: its
        // m-line went to port 0, and the next call recycled it with a new mid (JSEP §5.2.2),
        // so the offers never grow beyond the data section and one audio section.
        // Either side may make the stopping offer (the side that ended the call: A hung up call
        // 1 and rejected call 2, B hung up call 3), so both daemons stopped a transceiver.
        let offers = Self.renegotiationOffers(cluster.allLogs())
        #expect(offers.allSatisfy { $0.count == 2 && $0[0].hasPrefix("application:9:") && $0[1].hasPrefix("audio:") }, "\(offers)")
        let added = offers.filter { $0[1].hasPrefix("audio:9:") }
        #expect(added.count == 3 && Set(added.map { $0[1].split(separator: ":").last ?? "" }).count == 3, "each call had its own mid: \(offers)")
        #expect(offers.filter { $0[1].hasPrefix("audio:0:") }.count >= 3, "\(offers)")
        #expect(await poll(timeout: .seconds(5)) {
            Self.renegotiationOffers(cluster.log("a") + cluster.log("b")).isEmpty == false
                && cluster.log("a").contains("audio transceiver stopped") && cluster.log("b").contains("audio transceiver stopped")
        }, "both sides stop their own transceiver")
        #expect(cluster.log("a").contains("audio transceiver stopped by this side (the connection's answerer)")
                || cluster.log("b").contains("audio transceiver stopped by this side (the connection's answerer)"))

        // The sync that ran during the call completed byte-identical.
        let synced = await poll(timeout: .seconds(40)) { SyncdProcessTests.hashes(pathB) == SyncdProcessTests.hashes(pathA) }
        #expect(synced, "\(cluster.allLogs())")
        #expect(SyncdProcessTests.hashes(pathB)["during-call.bin"] != nil)
    }

    /// A shares a moving test pattern with B (VP8 over the same connection); `syncctl screen watch`
    /// on B writes a Y4M file whose frames decode at the right size.
    @Test(.timeLimit(.minutes(2)))
    func screenShareOfATestPattern() async throws {
        let (cluster, _, _, _, _) = try await Self.pairedCluster()
        let b = cluster.client("b")
        let none = try await cluster.syncctl("b", ["screen", "watch", "--frames", "1"])
        #expect(none.status == 65 && none.output.contains("no screen is being shared"), "\(none.output)")

        let share = try await cluster.syncctl("a", ["screen", "share", "bee", "--source", "pattern:320x240", "--fps", "15"])
        #expect(share.status == 0 && share.output.contains("sharing pattern:320x240 with bee"), "\(share.output)")
        let again = try await cluster.syncctl("a", ["screen", "share", "bee"])
        #expect(again.status == 65 && again.output.contains("already sharing"), "\(again.output)")
        let incoming = await poll(timeout: .seconds(10)) {
            try await off { try b.request("GET", "/screen", as: [ScreenStatus].self) }.contains { $0.direction == "incoming" && $0.frames > 0 }
        }
        #expect(incoming, "B receives no frames\n\(cluster.allLogs())")
        let status = try await cluster.syncctl("b", ["status"])
        #expect(status.output.contains("ay shares its screen with this device: 320x240"), "\(status.output)")

        let y4m = cluster.root + "/b-screen.y4m"
        let watch = try await cluster.syncctl("b", ["screen", "watch", "--frames", "20", "--output", y4m], timeout: .seconds(30))
        #expect(watch.status == 0, "\(watch.output)")
        var reader = try Y4MReader(path: y4m)
        #expect(reader.width == 320 && reader.height == 240)
        var frames: [VideoFrame] = []
        while let f = reader.nextFrame() { frames.append(f) }
        #expect(frames.count == 20 && frames.allSatisfy { $0.width == 320 && $0.height == 240 }, "\(frames.count) frames")
        // The pattern moves: the frames are not all the same picture.
        #expect(Set(frames.map(\.y)).count > 10, "the pattern does not move")

        #expect(try await cluster.syncctl("b", ["screen", "stop"]).output.contains("not sharing"))
        #expect(try await cluster.syncctl("a", ["screen", "stop"]).status == 0)
        let stopped = await poll(timeout: .seconds(10)) {
            try await off { try b.request("GET", "/screen", as: [ScreenStatus].self) }.isEmpty
        }
        #expect(stopped, "\(cluster.allLogs())")
        // The share's end stopped the video transceiver on A, the side that ended it (whichever
        // role it has on the connection): A's last offer has the m-line at port 0.
        let offers = await poll(timeout: .seconds(10)) {
            Self.renegotiationOffers(cluster.log("a")).last?.last?.hasPrefix("video:0:") == true
        }
        #expect(offers, "A: \(Self.renegotiationOffers(cluster.log("a"))), B: \(Self.renegotiationOffers(cluster.log("b")))")
        #expect(cluster.log("a").contains("video transceiver stopped by this side"))
    }

    /// A shares an X11 screen (Xvfb painted green) scaled to 320x240 with B: the frames B
    /// watches decode at that size and carry the screen's colour; then the screen turns blue.
    @Test(.timeLimit(.minutes(2)))
    func screenShareOfAnX11Screen() async throws {
        let x = try XvfbServer(width: 800, height: 600)
        defer { x.stop() }
        try x.paint("#00ff00")
        let (cluster, _, _, _, _) = try await Self.pairedCluster()
        let b = cluster.client("b")
        let bad = try await cluster.syncctl("a", ["screen", "share", "bee", "--source", "x11::65000"])
        #expect(bad.status != 0 && bad.output.contains("cannot open X display :65000"), "\(bad.output)")
        let share = try await cluster.syncctl("a", ["screen", "share", "bee", "--source", "x11:\(x.display)", "--size", "320x240"])
        #expect(share.status == 0 && share.output.contains("sharing x11:\(x.display) at 320x240 with bee"), "\(share.output)")
        let incoming = await poll(timeout: .seconds(10)) {
            try await off { try b.request("GET", "/screen", as: [ScreenStatus].self) }.contains { $0.direction == "incoming" && $0.frames > 0 }
        }
        #expect(incoming, "B receives no frames\n\(cluster.allLogs())")
        let y4m = cluster.root + "/b-x11.y4m"
        let watch = try await cluster.syncctl("b", ["screen", "watch", "--frames", "5", "--output", y4m], timeout: .seconds(30))
        #expect(watch.status == 0, "\(watch.output)")
        var reader = try Y4MReader(path: y4m)
        #expect(reader.width == 320 && reader.height == 240)
        var frames: [VideoFrame] = []
        while let f = reader.nextFrame() { frames.append(f) }
        #expect(frames.count == 5)
        func mean(_ p: [UInt8]) -> Double { Double(p.reduce(0) { $0 + Int($1) }) / Double(max(1, p.count)) }
        // Green is Y 144, U 54, V 34 (BT.601 limited range).
        if let f = frames.last { #expect(abs(mean(f.y) - 144) < 4 && abs(mean(f.u) - 54) < 4 && abs(mean(f.v) - 34) < 4, "\(mean(f.y)) \(mean(f.u)) \(mean(f.v))") }
        // The share is live: the screen turns blue (Y 41, U 240, V 110) and so do the frames.
        try x.paint("#0000ff")
        let blue = await poll(timeout: .seconds(10)) {
            let out = try await cluster.syncctl("b", ["screen", "watch", "--frames", "1", "--output", y4m], timeout: .seconds(10))
            var r = try Y4MReader(path: y4m)
            guard out.status == 0, let f = r.nextFrame() else { return false }
            return abs(mean(f.y) - 41) < 4 && abs(mean(f.u) - 240) < 4
        }
        #expect(blue, "the watched frames did not turn blue")
        #expect(try await cluster.syncctl("a", ["screen", "stop"]).status == 0)
    }
}
