/// An I420 (YUV 4:2:0 planar) picture.
public struct VideoFrame: Equatable, Sendable {
    /// Width in pixels (even).
    public var width: Int
    /// Height in pixels (even).
    public var height: Int
    /// Luma plane, `width × height` bytes.
    public var y: [UInt8]
    /// Chroma planes, `(width/2) × (height/2)` bytes each.
    public var u: [UInt8], v: [UInt8]

    /// A frame from its planes; the plane sizes must match `width`×`height` (a programming error otherwise).
    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8]) {
        precondition(width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0, "I420 needs even positive dimensions")
        precondition(y.count == width * height && u.count == width * height / 4 && v.count == u.count, "I420 plane sizes")
        self.width = width
        self.height = height
        self.y = y
        self.u = u
        self.v = v
    }

    /// A frame of one flat colour.
    public static func filled(width: Int, height: Int, y: UInt8 = 16, u: UInt8 = 128, v: UInt8 = 128) -> VideoFrame {
        VideoFrame(width: width, height: height, y: Array(repeating: y, count: width * height),
                   u: Array(repeating: u, count: width * height / 4), v: Array(repeating: v, count: width * height / 4))
    }

    /// All three planes back to back (the Y4M / I420 layout).
    public var planar: [UInt8] { y + u + v }
}

/// Something that produces video frames (a screen, a file, a test pattern).
public protocol VideoSource {
    /// The next frame, or nil at the end of the input.
    mutating func nextFrame() -> VideoFrame?
}

/// A moving test pattern: colour bars with a bright square that moves one step per frame.
public struct TestPatternSource: VideoSource, Sendable {
    /// Frame size.
    public let width: Int, height: Int
    /// Stop after this many frames (nil = endless).
    public var limit: Int?
    /// Frames produced so far.
    public private(set) var frameIndex = 0

    /// A pattern of `width`×`height` (even).
    public init(width: Int = 320, height: Int = 240, limit: Int? = nil) {
        self.width = width
        self.height = height
        self.limit = limit
    }

    /// The next frame of the pattern.
    public mutating func nextFrame() -> VideoFrame? {
        if let limit, frameIndex >= limit { return nil }
        defer { frameIndex += 1 }
        let bars: [(UInt8, UInt8, UInt8)] = [(235, 128, 128), (210, 16, 146), (170, 166, 16), (145, 54, 34),
                                             (106, 202, 222), (81, 90, 240), (41, 240, 110), (16, 128, 128)]
        var y = [UInt8](repeating: 0, count: width * height)
        var u = [UInt8](repeating: 0, count: width * height / 4)
        var v = [UInt8](repeating: 0, count: width * height / 4)
        for row in 0..<height {
            for col in 0..<width {
                y[row * width + col] = bars[col * bars.count / width].0
            }
        }
        for row in 0..<(height / 2) {
            for col in 0..<(width / 2) {
                let bar = bars[(col * 2) * bars.count / width]
                u[row * (width / 2) + col] = bar.1
                v[row * (width / 2) + col] = bar.2
            }
        }
        // The moving square: 1/8 of the height, sweeping left to right.
        let side = max(2, height / 8) & ~1
        let x0 = (frameIndex * 4) % max(1, width - side)
        let y0 = (height - side) / 2
        for row in y0..<(y0 + side) {
            for col in x0..<(x0 + side) { y[row * width + col] = 255 }
        }
        return VideoFrame(width: width, height: height, y: y, u: u, v: v)
    }
}
