/// Converts 32-bit BGRX pictures (what an X11 server hands out for 24/32-bit TrueColor on
/// little-endian machines) to I420 frames of a fixed output size, for the VP8 encoder.
///
/// The picture is scaled uniformly so that it covers the whole output, and the overflow is
/// cropped evenly from both sides (a 16:10 screen shared at 16:9 loses a strip top and bottom;
/// the same aspect loses nothing). Sampling is nearest-neighbour for luma and a 2×2 average of
/// the sampled pixels for chroma. Colours are BT.601 limited range, as libyuv's `ARGBToI420`.
public struct BGRXConverter: Sendable {
    /// The input picture's size.
    public let sourceWidth: Int, sourceHeight: Int
    /// The output frame's size (even).
    public let width: Int, height: Int
    /// For each output column, the byte offset of its source pixel within a row.
    private let columnOffsets: [Int]
    /// For each output row, the source row it samples.
    private let rows: [Int]

    /// A converter from `sourceWidth`×`sourceHeight` to `width`×`height` (even, positive).
    public init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) {
        precondition(sourceWidth > 0 && sourceHeight > 0, "empty source picture")
        precondition(width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0, "I420 needs even positive dimensions")
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.width = width
        self.height = height
        // Cover: the smaller of the two source/output ratios decides; in 1/65536 source pixels per output pixel.
        let stepX = sourceWidth * 65536 / width, stepY = sourceHeight * 65536 / height
        let step = min(stepX, stepY)
        let usedWidth = width * step, usedHeight = height * step
        let x0 = (sourceWidth * 65536 - usedWidth) / 2, y0 = (sourceHeight * 65536 - usedHeight) / 2
        columnOffsets = (0..<width).map { x in min(sourceWidth - 1, (x0 + x * step + step / 2) >> 16) * 4 }
        rows = (0..<height).map { y in min(sourceHeight - 1, (y0 + y * step + step / 2) >> 16) }
    }

    /// The largest even size no bigger than `maxWidth`×`maxHeight` with the source's aspect
    /// (the source's own size, made even, when it fits).
    public static func fittingSize(sourceWidth: Int, sourceHeight: Int, maxWidth: Int = 1920, maxHeight: Int = 1088) -> (width: Int, height: Int) {
        guard sourceWidth > 1, sourceHeight > 1 else { return (2, 2) }
        var w = sourceWidth, h = sourceHeight
        if w > maxWidth { h = h * maxWidth / w; w = maxWidth }
        if h > maxHeight { w = w * maxHeight / h; h = maxHeight }
        return (max(2, w & ~1), max(2, h & ~1))
    }

    /// Converts one picture: `pixels` holds `sourceHeight` rows `stride` bytes apart, 4 bytes
    /// per pixel (B, G, R, unused). Nil when the buffer is too small for that layout.
    public func convert(_ pixels: UnsafeRawBufferPointer, stride: Int) -> VideoFrame? {
        guard stride >= sourceWidth * 4, pixels.count >= (sourceHeight - 1) * stride + sourceWidth * 4 else { return nil }
        var y = [UInt8](repeating: 0, count: width * height)
        var u = [UInt8](repeating: 128, count: width * height / 4)
        var v = [UInt8](repeating: 128, count: width * height / 4)
        let cw = width / 2
        y.withUnsafeMutableBufferPointer { yp in
            u.withUnsafeMutableBufferPointer { up in
                v.withUnsafeMutableBufferPointer { vp in
                    columnOffsets.withUnsafeBufferPointer { cols in
                        for cy in 0..<(height / 2) {
                            let top = rows[cy * 2] * stride, bottom = rows[cy * 2 + 1] * stride
                            for cx in 0..<cw {
                                var rs = 0, gs = 0, bs = 0
                                for dy in 0..<2 {
                                    let rowStart = dy == 0 ? top : bottom
                                    let outRow = (cy * 2 + dy) * width
                                    for dx in 0..<2 {
                                        let x = cx * 2 + dx
                                        let p = rowStart + cols[x]
                                        let b = Int(pixels[p]), g = Int(pixels[p + 1]), r = Int(pixels[p + 2])
                                        yp[outRow + x] = UInt8(truncatingIfNeeded: ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16)
                                        rs += r; gs += g; bs += b
                                    }
                                }
                                let r = (rs + 2) >> 2, g = (gs + 2) >> 2, b = (bs + 2) >> 2
                                up[cy * cw + cx] = UInt8(truncatingIfNeeded: ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128)
                                vp[cy * cw + cx] = UInt8(truncatingIfNeeded: ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128)
                            }
                        }
                    }
                }
            }
        }
        return VideoFrame(width: width, height: height, y: y, u: u, v: v)
    }
}
