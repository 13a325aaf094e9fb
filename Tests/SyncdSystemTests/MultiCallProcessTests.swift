import ControlAPI
import Foundation
import Media
import MediaTestSupport
import Testing

/// Several calls and screen shares at once between three real daemons: A holds a call with B
/// and one with C, each with its own audio both ways; `syncctl` names a call by device or id
/// where several could be meant; C, limited to one call, refuses a second as busy; the answering
/// side ends a call and stops its own transceiver. Then A shares its screen with B and C, and B
/// and C share theirs with A.
@Suite(.serialized) struct MultiCallProcessTests {
    static func call(_ c: ControlClient, _ target: String? = nil) async throws -> CallStatus {
        let path = "/call" + (target.map { "?call=" + $0 } ?? "")
        return try await off { try c.request("GET", path, as: CallStatus.self) }
    }

    static func calls(_ c: ControlClient) async throws -> [CallStatus] {
        try await off { try c.request("GET", "/calls", as: [CallStatus].self) }
    }

    static func screens(_ c: ControlClient) async throws -> [ScreenStatus] {
        try await off { try c.request("GET", "/screen", as: [ScreenStatus].self) }
    }

    /// The spectral peak of the last second of a WAV file.
    static func peak(_ path: String) throws -> Double {
        let wav = try WAVFile(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        return peakFrequency(wav.samples.suffix(48000), low: 100, high: 2000)
    }

    @Test(.timeLimit(.minutes(2)))
    func twoCallsAtOnceEachEndedOnItsOwn() async throws {
        let cluster = try ProcessCluster()
        let d = try await cluster.startPaired([("a", "ay"), ("b", "bee"), ("c", "sea")], settings: ["c": ["maxCalls": 1]])
        let a = d[0].client, b = d[1].client, c = d[2].client
        let root = cluster.root

        // A rings B and C; each answers with its own tone and output file.
        #expect(try await cluster.syncctl("a", ["call", "bee", "--input", "tone:440", "--output", root + "/a-bee.wav"]).status == 0)
        #expect(try await cluster.syncctl("a", ["call", "sea", "--input", "tone:660", "--output", root + "/a-sea.wav"]).status == 0)
        let twice = try await cluster.syncctl("a", ["call", "bee"])
        #expect(twice.status == 65 && twice.output.contains("already active (ringing-out with bee)"), "\(twice.output)")
        #expect(await poll(timeout: .seconds(10)) {
            let sb = try await Self.call(b), sc = try await Self.call(c)
            return sb.state == "ringing-in" && sc.state == "ringing-in"
        }, "\(cluster.allLogs())")
        let listing = try await cluster.syncctl("a", ["call", "status"])
        #expect(listing.output.contains("Ringing bee") && listing.output.contains("Ringing sea"), "\(listing.output)")
        #expect(try await cluster.syncctl("b", ["call", "accept", "--input", "tone:550", "--output", root + "/b.wav"]).status == 0)
        #expect(try await cluster.syncctl("c", ["call", "accept", "ay", "--input", "tone:770", "--output", root + "/c.wav"]).status == 0)
        let flowing = await poll(timeout: .seconds(20)) {
            let list = try await Self.calls(a)
            return list.count == 2 && list.allSatisfy { $0.state == "active" && $0.framesPlayed >= 100 }
        }
        let seen = try? await Self.calls(a)
        #expect(flowing, "\(String(describing: seen))\n\(cluster.allLogs())")
        let calls = try await Self.calls(a)
        #expect(Set(calls.compactMap(\.deviceName)) == ["bee", "sea"] && Set(calls.compactMap(\.id)).count == 2, "\(calls)")
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(try await cluster.syncctl("a", ["status", "--json"]).output.utf8))
        #expect(report.calls?.count == 2, "\(String(describing: report.calls))")

        // Where two calls could be meant, syncctl must be told which; by device or by call id.
        let ambiguous = try await cluster.syncctl("a", ["call", "hangup"])
        #expect(ambiguous.status == 65 && ambiguous.output.contains("2 calls could be meant")
                && ambiguous.output.contains("`syncctl call hangup bee`"), "\(ambiguous.output)")
        let dtmfAny = try await cluster.syncctl("a", ["call", "dtmf", "7"])
        #expect(dtmfAny.status == 65 && dtmfAny.output.contains("2 calls could be meant")
                && dtmfAny.output.contains("`syncctl call dtmf <digits> --call bee`"), "\(dtmfAny.output)")
        let seaID = try #require(calls.first { $0.deviceName == "sea" }?.id)
        #expect(try await cluster.syncctl("a", ["call", "dtmf", "73", "--call", seaID, "--duration", "80", "--gap", "50"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(c).dtmfReceived == "73" }, "\(cluster.allLogs())")
        #expect(try await Self.call(b).dtmfReceived == "", "DTMF for C reached B")
        let one = try await cluster.syncctl("a", ["call", "status", "bee", "--json"])
        let bee = try JSONDecoder().decode(CallStatus.self, from: Data(one.output.utf8))
        #expect(bee.deviceName == "bee" && bee.state == "active" && bee.framesSent > 0, "\(one.output)")

        // C holds one call at most (maxCalls 1): it refuses a ring as busy, and its own call too.
        #expect(await poll(timeout: .seconds(20)) {
            try await SyncdProcessTests.devices(b).first { $0.name == "sea" }?.connected == true
        }, "B and C did not connect")
        #expect(try await cluster.syncctl("b", ["call", "sea"]).status == 0)
        let busy = await poll(timeout: .seconds(10)) { try await Self.call(b, "sea").lastEnded == "the other device is busy" }
        let last = try? await Self.call(b, "sea")
        #expect(busy, "\(String(describing: last))")
        let full = try await cluster.syncctl("c", ["call", "bee"])
        #expect(full.status == 65 && full.output.contains("already has 1 call, the most it holds at once (maxCalls 1)"), "\(full.output)")
        #expect(try await Self.call(a, "bee").state == "active", "B's refused call disturbed A's call with B")

        // A ends its call with C by name; the call with B goes on.
        #expect(try await cluster.syncctl("a", ["call", "hangup", "sea"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(c).lastEnded == "hung up by the other device" })
        let before = try await Self.call(b).framesPlayed
        #expect(await poll(timeout: .seconds(10)) { try await Self.call(b).framesPlayed >= before + 50 }, "B's call stopped with C's")
        #expect(try await Self.calls(a).map(\.deviceName) == ["bee"])

        // B, which answered, hangs up: it stops its own audio transceiver and offers, and the
        // A–B connection's audio m-line goes to port 0.
        #expect(try await cluster.syncctl("b", ["call", "hangup"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) {
            let none = try await Self.calls(a).isEmpty, last = try await Self.call(a).lastEnded
            return none && last == "hung up by the other device"
        })
        #expect(await poll(timeout: .seconds(10)) { cluster.log("b").contains("audio transceiver stopped by this side") })
        let peaks = try ["a-bee", "b", "a-sea", "c"].map { try Self.peak(root + "/\($0).wav") }
        #expect(zip(peaks, [550.0, 440, 770, 660]).allSatisfy { abs($0 - $1) <= 5 }, "heard \(peaks) Hz (A from B, B, A from C, C)")
    }

    @Test(.timeLimit(.minutes(2)))
    func screensSharedWithAndFromTwoDevices() async throws {
        let cluster = try ProcessCluster()
        let d = try await cluster.startPaired([("a", "ay"), ("b", "bee"), ("c", "sea")], settings: ["b": ["maxScreenShares": 1]])
        let a = d[0].client, b = d[1].client, c = d[2].client
        let root = cluster.root

        // A shares with B and with C, each a pattern of its own size.
        #expect(try await cluster.syncctl("a", ["screen", "share", "bee", "--source", "pattern:320x240", "--fps", "10"]).status == 0)
        #expect(try await cluster.syncctl("a", ["screen", "share", "sea", "--source", "pattern:176x144", "--fps", "10"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) {
            let fb = try await Self.screens(b).first?.frames ?? 0, fc = try await Self.screens(c).first?.frames ?? 0
            return fb > 0 && fc > 0
        }, "\(cluster.allLogs())")
        for (name, w, h) in [("b", 320, 240), ("c", 176, 144)] {
            let y4m = root + "/\(name).y4m"
            let watch = try await cluster.syncctl(name, ["screen", "watch", "--frames", "3", "--output", y4m], timeout: .seconds(30))
            #expect(watch.status == 0, "\(watch.output)")
            let reader = try Y4MReader(path: y4m)
            #expect(reader.width == w && reader.height == h, "\(name) watched \(reader.width)x\(reader.height)")
        }
        let ambiguous = try await cluster.syncctl("a", ["screen", "stop"])
        #expect(ambiguous.status == 65 && ambiguous.output.contains("shared with 2 devices"), "\(ambiguous.output)")

        // A stops the share with C only; B's goes on.
        #expect(try await cluster.syncctl("a", ["screen", "stop", "sea"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.screens(c).isEmpty })
        let framesB = try await Self.screens(b).first?.frames ?? 0
        #expect(await poll(timeout: .seconds(10)) { try await Self.screens(b).first?.frames ?? 0 >= framesB + 10 })

        // B and C share with A (B over the video m-line that already carries A's share to B; C
        // over a new one): A receives two shares and watches each by name.
        #expect(try await cluster.syncctl("b", ["screen", "share", "ay", "--source", "pattern:240x160", "--fps", "10"]).status == 0)
        #expect(try await cluster.syncctl("c", ["screen", "share", "ay", "--source", "pattern:160x120", "--fps", "10"]).status == 0)
        let both = await poll(timeout: .seconds(10)) {
            try await Self.screens(a).filter { $0.direction == "incoming" && $0.frames > 0 }.count == 2
        }
        let shares = try? await Self.screens(a)
        #expect(both, "\(String(describing: shares))\n\(cluster.allLogs())")
        let which = try await cluster.syncctl("a", ["screen", "watch", "--frames", "1"])
        #expect(which.status == 65 && which.output.contains("2 devices share their screen"), "\(which.output)")
        for (from, w, h) in [("bee", 240, 160), ("sea", 160, 120)] {
            let y4m = root + "/a-\(from).y4m"
            let watch = try await cluster.syncctl("a", ["screen", "watch", "--from", from, "--frames", "3", "--output", y4m], timeout: .seconds(30))
            #expect(watch.status == 0, "\(watch.output)")
            let reader = try Y4MReader(path: y4m)
            #expect(reader.width == w && reader.height == h, "A watched \(from) at \(reader.width)x\(reader.height)")
        }
        // B shares with one device at most (maxScreenShares 1): a share with C is refused clearly.
        let full = try await cluster.syncctl("b", ["screen", "share", "sea", "--source", "pattern"])
        #expect(full.status == 65 && full.output.contains("already sharing the screen with 1 device, the most at once (maxScreenShares 1)"),
                "\(full.output)")
        let again = try await cluster.syncctl("a", ["screen", "share", "bee"])
        #expect(again.status == 65 && again.output.contains("already sharing the screen with bee"), "\(again.output)")

        // C (the sharing side) stops: C's share to A ends and C stops its own video transceiver;
        // B's share to A and A's to B go on.
        #expect(try await cluster.syncctl("c", ["screen", "stop"]).status == 0)
        #expect(await poll(timeout: .seconds(10)) { try await Self.screens(a).filter { $0.direction == "incoming" }.map(\.deviceName) == ["bee"] })
        let onC = try await Self.screens(c), onB = try await Self.screens(b)
        #expect(onC.isEmpty && onB.count == 2, "\(onC) \(onB)")
        #expect(await poll(timeout: .seconds(10)) { cluster.log("c").contains("video transceiver stopped by this side") })
    }
}
