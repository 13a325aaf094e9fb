/// Why a Y4M stream could not be read.
public enum Y4MError: Error, Equatable, Sendable {
    /// The header or a frame marker was not what YUV4MPEG2 requires (4:2:0 only).
    case malformed(String)
    /// The file could not be read or written (errno).
    case io(Int32)
}

/// Reads YUV4MPEG2 (4:2:0) from bytes; a video source.
public struct Y4MReader: VideoSource, Sendable {
    /// Frame size from the header.
    public let width: Int, height: Int
    /// Frame rate from the header (`F30:1` → 30/1).
    public let frameRate: (numerator: Int, denominator: Int)
    private let bytes: [UInt8]
    private var position: Int

    /// Parses the stream header of `bytes`.
    public init(bytes: [UInt8]) throws(Y4MError) {
        guard let nl = bytes.firstIndex(of: 0x0A), nl < 1024 else { throw .malformed("no header line") }
        let header = String(decoding: bytes[0..<nl], as: UTF8.self).split(separator: " ")
        guard header.first == "YUV4MPEG2" else { throw .malformed("not YUV4MPEG2") }
        var w = 0, h = 0, rate = (30, 1)
        for field in header.dropFirst() {
            let value = field.dropFirst()
            switch field.first {
            case "W": w = Int(value) ?? 0
            case "H": h = Int(value) ?? 0
            case "F":
                let parts = value.split(separator: ":")
                if parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), n > 0, d > 0 { rate = (n, d) }
            case "C":
                guard value.hasPrefix("420") else { throw .malformed("colour space \(value), only 4:2:0") }
            default: break
            }
        }
        guard w > 0, h > 0, w % 2 == 0, h % 2 == 0, w <= 8192, h <= 8192 else { throw .malformed("size \(w)x\(h)") }
        width = w
        height = h
        frameRate = rate
        self.bytes = bytes
        position = nl + 1
    }

    /// Reads a Y4M file.
    public init(path: String) throws(Y4MError) {
        let data: [UInt8]
        do { data = try FileBytes.read(path: path) } catch {
            if case .io(let code) = error { throw .io(code) }
            throw .io(0)
        }
        try self.init(bytes: data)
    }

    /// The next frame, or nil at the end (or at a malformed frame).
    public mutating func nextFrame() -> VideoFrame? {
        guard position < bytes.count, let nl = bytes[position...].prefix(256).firstIndex(of: 0x0A),
              bytes[position..<nl].starts(with: "FRAME".utf8) else { return nil }
        let ySize = width * height, cSize = ySize / 4
        let start = nl + 1
        guard bytes.count - start >= ySize + 2 * cSize else { return nil }
        position = start + ySize + 2 * cSize
        return VideoFrame(width: width, height: height, y: Array(bytes[start..<(start + ySize)]),
                          u: Array(bytes[(start + ySize)..<(start + ySize + cSize)]),
                          v: Array(bytes[(start + ySize + cSize)..<(start + ySize + 2 * cSize)]))
    }
}

/// Writes frames as a YUV4MPEG2 stream (`syncctl screen watch | ffplay -`).
public struct Y4MWriter: Sendable {
    /// Frame size.
    public let width: Int, height: Int
    /// The stream so far (header plus frames).
    public private(set) var bytes: [UInt8]
    /// Frames written.
    public private(set) var frames = 0

    /// A writer for `width`×`height` at `frameRate` fps.
    public init(width: Int, height: Int, frameRate: Int = 30) {
        self.width = width
        self.height = height
        bytes = Array("YUV4MPEG2 W\(width) H\(height) F\(frameRate):1 Ip A1:1 C420jpeg\n".utf8)
    }

    /// Appends one frame (its size must match the stream's; other sizes are skipped and return false).
    @discardableResult
    public mutating func write(_ frame: VideoFrame) -> Bool {
        guard frame.width == width, frame.height == height else { return false }
        bytes += Array("FRAME\n".utf8)
        bytes += frame.y
        bytes += frame.u
        bytes += frame.v
        frames += 1
        return true
    }

    /// Takes the bytes written so far (to flush them to a file or pipe), keeping the writer going.
    public mutating func drain() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }
}
