import MediaTestSupport
import RTP
import Testing
import WireKit
@testable import Media

/// BGRX → I420 conversion, and capture of a real (virtual) X server: Xvfb painted with xsetroot.
@Suite struct X11CaptureTests {
    /// A BGRX picture whose left half is `left` and right half `right` (r, g, b), with padded rows.
    static func picture(width: Int, height: Int, stride: Int, left: (UInt8, UInt8, UInt8), right: (UInt8, UInt8, UInt8)) -> [UInt8] {
        var p = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0..<height {
            for x in 0..<width {
                let c = x < width / 2 ? left : right
                p[y * stride + x * 4] = c.2
                p[y * stride + x * 4 + 1] = c.1
                p[y * stride + x * 4 + 2] = c.0
            }
        }
        return p
    }

    static func mean(_ plane: ArraySlice<UInt8>) -> Double { Double(plane.reduce(0) { $0 + Int($1) }) / Double(max(1, plane.count)) }

    @Test func primariesConvertToBT601LimitedRange() {
        let red = Self.picture(width: 4, height: 2, stride: 20, left: (255, 0, 0), right: (255, 0, 0))
        let f = red.withUnsafeBytes { BGRXConverter(sourceWidth: 4, sourceHeight: 2, width: 4, height: 2).convert($0, stride: 20) }
        #expect(f?.y == [82, 82, 82, 82, 82, 82, 82, 82])
        #expect(f?.u == [90, 90] && f?.v == [240, 240])
        let grey = Self.picture(width: 2, height: 2, stride: 8, left: (0, 0, 0), right: (255, 255, 255))
        let g = grey.withUnsafeBytes { BGRXConverter(sourceWidth: 2, sourceHeight: 2, width: 2, height: 2).convert($0, stride: 8) }
        #expect(g?.y == [16, 235, 16, 235])
        #expect(g?.u == [128] && g?.v == [128])
    }

    @Test func downscaleKeepsTheLayoutAndCoverCropsTheWiderAxis() throws {
        // 64x32 red|blue scaled to 16x8 (same aspect): left half red, right half blue.
        let pic = Self.picture(width: 64, height: 32, stride: 64 * 4, left: (255, 0, 0), right: (0, 0, 255))
        let f = try #require(pic.withUnsafeBytes { BGRXConverter(sourceWidth: 64, sourceHeight: 32, width: 16, height: 8).convert($0, stride: 256) })
        #expect(f.width == 16 && f.height == 8)
        for row in 0..<8 {
            #expect(f.y[row * 16 + 0] == 82 && f.y[row * 16 + 7] == 82)
            #expect(f.y[row * 16 + 8] == 41 && f.y[row * 16 + 15] == 41)
        }
        // To a square 8x8 the 2:1 picture is scaled by its height and its sides cropped: the
        // middle stays half red, half blue.
        let sq = try #require(pic.withUnsafeBytes { BGRXConverter(sourceWidth: 64, sourceHeight: 32, width: 8, height: 8).convert($0, stride: 256) })
        #expect(Array(sq.y[0..<8]) == [82, 82, 82, 82, 41, 41, 41, 41])
        // Upscaling works too (nearest neighbour).
        let up = try #require(pic.withUnsafeBytes { BGRXConverter(sourceWidth: 64, sourceHeight: 32, width: 128, height: 64).convert($0, stride: 256) })
        #expect(up.y[0] == 82 && up.y[127] == 41 && up.u[0] == 90 && up.v[63] == 110)
        // A buffer too short for its stride is refused, not read past.
        let short = [UInt8](repeating: 0, count: 100)
        #expect(short.withUnsafeBytes { BGRXConverter(sourceWidth: 64, sourceHeight: 32, width: 16, height: 8).convert($0, stride: 256) } == nil)
    }

    @Test func fittingSizeKeepsAspectAndEvenness() {
        #expect(BGRXConverter.fittingSize(sourceWidth: 1366, sourceHeight: 768) == (1366, 768))
        #expect(BGRXConverter.fittingSize(sourceWidth: 3840, sourceHeight: 2160) == (1920, 1080))
        #expect(BGRXConverter.fittingSize(sourceWidth: 1025, sourceHeight: 769) == (1024, 768))
        #expect(BGRXConverter.fittingSize(sourceWidth: 1080, sourceHeight: 1920) == (612, 1088))
    }

    /// The screen changes size during a capture (`xrandr --fb` on Xvfb): the output keeps its
    /// size and the new screen is scaled to cover it. The screen is painted red|blue in halves of
    /// exactly its new size, so only a capture of the new geometry puts the boundary mid-frame;
    /// the first grab after each change already succeeds.
    @Test func aScreenThatChangesSizeKeepsTheOutputSizeAndIsRescaled() throws {
        let x = try XvfbServer(width: 800, height: 600)
        defer { x.stop() }
        try x.paintHalves(left: "#ff0000", right: "#0000ff", width: 800, height: 600)
        let source = try X11ScreenSource(display: x.display, width: 320, height: 240)
        /// The luma of row 120 at columns `xs` (red is 82, blue 41).
        func row(_ f: VideoFrame, _ xs: [Int]) -> [UInt8] { xs.map { f.y[120 * f.width + $0] } }
        let before = try source.grab()
        #expect(row(before, [0, 159, 160, 319]) == [82, 82, 41, 41], "\(row(before, [0, 159, 160, 319]))")

        // Smaller: 640x480 (same aspect), halves of that size; grabbing at 800x600 would fail.
        try x.resize(width: 640, height: 480)
        try x.paintHalves(left: "#ff0000", right: "#0000ff", width: 640, height: 480)
        let smaller = try source.grab()
        #expect(source.screenWidth == 640 && source.screenHeight == 480 && source.geometryChanges == 1)
        #expect(smaller.width == 320 && smaller.height == 240, "the output keeps its size")
        #expect(row(smaller, [0, 159, 160, 319]) == [82, 82, 41, 41], "rescaled: \(row(smaller, [0, 159, 160, 319]))")

        // Another aspect: 800x400 (2:1) covers the 4:3 output by its height, sides cropped: the
        // boundary stays mid-frame, the red and blue reach the edges.
        try x.resize(width: 800, height: 400)
        try x.paintHalves(left: "#ff0000", right: "#0000ff", width: 800, height: 400)
        let wider = try #require(source.nextFrame(), "\(String(describing: source.lastError))")
        #expect(source.screenWidth == 800 && source.screenHeight == 400 && source.geometryChanges == 2)
        #expect(wider.width == 320 && wider.height == 240)
        #expect(row(wider, [0, 159, 160, 319]) == [82, 82, 41, 41], "\(row(wider, [0, 159, 160, 319]))")
        // Unchanged size: no reopening.
        _ = try source.grab()
        #expect(source.geometryChanges == 2)
    }

    /// Xvfb painted red, then blue: each grab carries the colour on screen at that time, at the
    /// asked size and at the screen's own size.
    @Test func capturesTheColourOnAnXvfbScreen() throws {
        let x = try XvfbServer(width: 640, height: 400)
        defer { x.stop() }
        try x.paint("#ff0000")
        let source = try X11ScreenSource(display: x.display, width: 320, height: 200)
        #expect(source.screenWidth == 640 && source.screenHeight == 400)
        #expect(source.usesSharedMemory, "Xvfb on this host offers MIT-SHM")
        let red = try source.grab()
        #expect(red.width == 320 && red.height == 200)
        #expect(abs(Self.mean(red.y[...]) - 82) < 1 && abs(Self.mean(red.u[...]) - 90) < 1 && abs(Self.mean(red.v[...]) - 240) < 1)
        try x.paint("#0000ff")
        let blue = try #require(source.nextFrame())
        #expect(abs(Self.mean(blue.y[...]) - 41) < 1 && abs(Self.mean(blue.u[...]) - 240) < 1 && abs(Self.mean(blue.v[...]) - 110) < 1)
        let full = try X11ScreenSource(display: x.display)
        #expect(full.width == 640 && full.height == 400)
        #expect(try full.grab().y.allSatisfy { $0 == 41 })
        // Without shared memory (a remote display) GetImage replies carry the same picture.
        let plain = try X11ScreenSource(display: x.display, width: 64, height: 40, sharedMemory: false)
        #expect(!plain.usesSharedMemory)
        #expect(try plain.grab().v.allSatisfy { $0 == 110 })
    }

    /// X11 frames through VP8 and RFC 7741 packets decode at the capture size with the screen's colour.
    @Test func capturedFramesSurviveVP8() throws {
        let x = try XvfbServer(width: 800, height: 600)
        defer { x.stop() }
        try x.paint("#00ff00")
        let source = try X11ScreenSource(display: x.display, width: 320, height: 240)
        let sender = try VP8TrackSender(ssrc: 7, width: 320, height: 240, frameRate: 15, bitrateKbps: 500)
        var depayloader = VP8Depayloader()
        let decoder = try VP8Decoder()
        var decoded: [VideoFrame] = []
        for i in 0..<5 {
            let frame = try source.grab()
            let (packets, _) = try sender.send(frame, index: i, now: .zero + .milliseconds(i * 66))
            for p in packets { depayloader.insert(try RTPPacket(parsing: p.serialized())) }
            while let e = depayloader.pollFrame() { if let d = try decoder.decode(e.data) { decoded.append(d) } }
        }
        #expect(decoded.count == 5)
        #expect(decoded.allSatisfy { $0.width == 320 && $0.height == 240 })
        // Green (0, 255, 0) is Y 144, U 54, V 34 in BT.601 limited range.
        if let last = decoded.last {
            #expect(abs(Self.mean(last.y[...]) - 144) < 3 && abs(Self.mean(last.u[...]) - 54) < 3 && abs(Self.mean(last.v[...]) - 34) < 3)
        }
    }

    @Test func aDisplayThatCannotBeOpenedSaysSo() {
        #expect {
            _ = try X11ScreenSource(display: ":65000")
        } throws: { error in
            guard case X11CaptureError.cannotOpen(let why)? = error as? X11CaptureError else { return false }
            return why.contains("cannot open X display :65000")
        }
    }
}
