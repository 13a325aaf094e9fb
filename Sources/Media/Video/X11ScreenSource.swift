import CXCBDL

/// Why an X11 screen could not be captured.
public enum X11CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The display could not be opened (no server, no permission, unsupported pixel format,
    /// libxcb missing); the text says which.
    case cannotOpen(String)
    /// A grab failed on an open display (the server went away, the screen changed size).
    case grabFailed(String)

    /// The reason, for error messages.
    public var description: String {
        switch self {
        case .cannotOpen(let why): return why
        case .grabFailed(let why): return "screen capture failed: \(why)"
        }
    }
}

/// Frames of an X11 screen: the root window grabbed with MIT-SHM through xcb (plain GetImage
/// when shared memory is not possible, e.g. a remote display), converted from BGRX to I420 at
/// the output size by a ``BGRXConverter`` (scaled to cover, overflow cropped).
///
/// libxcb is loaded with dlopen on first use (the `CXCBDL` shim), so nothing links X11.
/// The capture owns its connection and shared memory segment; both are released on deinit.
public final class X11ScreenSource: VideoSource {
    /// The display name used (nil: `$DISPLAY`).
    public let display: String?
    /// The screen's size.
    public let screenWidth: Int, screenHeight: Int
    /// The output frame size.
    public var width: Int { converter.width }
    /// The output frame size.
    public var height: Int { converter.height }
    /// True when frames come through MIT-SHM.
    public var usesSharedMemory: Bool { cxcb_uses_shm(capture) != 0 }
    /// The last grab's failure (``nextFrame()`` then returns nil).
    public private(set) var lastError: X11CaptureError?
    private let capture: OpaquePointer
    private let converter: BGRXConverter

    /// Opens `display` (nil: `$DISPLAY`) and captures its first screen at `width`×`height`
    /// (nil: the screen's size, scaled down to fit 1920×1088, made even); `sharedMemory` false
    /// forces plain GetImage.
    public init(display: String? = nil, width: Int? = nil, height: Int? = nil, sharedMemory: Bool = true) throws(X11CaptureError) {
        var error = [CChar](repeating: 0, count: 256)
        guard let c = cxcb_open(display, sharedMemory ? 1 : 0, &error, error.count) else {
            throw .cannotOpen(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        capture = c
        self.display = display
        screenWidth = Int(cxcb_width(c))
        screenHeight = Int(cxcb_height(c))
        let fit = BGRXConverter.fittingSize(sourceWidth: screenWidth, sourceHeight: screenHeight)
        let w = width ?? fit.width, h = height ?? fit.height
        guard screenWidth > 0, screenHeight > 0, w > 0, h > 0, w % 2 == 0, h % 2 == 0 else {
            cxcb_close(c)
            throw .cannotOpen("bad capture size \(w)x\(h) for a \(screenWidth)x\(screenHeight) screen")
        }
        converter = BGRXConverter(sourceWidth: screenWidth, sourceHeight: screenHeight, width: w, height: h)
    }

    deinit { cxcb_close(capture) }

    /// Grabs the screen now and returns it as an I420 frame; nil on failure (see ``lastError``).
    public func nextFrame() -> VideoFrame? {
        do { return try grab() } catch {
            lastError = error
            return nil
        }
    }

    /// Grabs the screen now; throws why it failed.
    public func grab() throws(X11CaptureError) -> VideoFrame {
        var error = [CChar](repeating: 0, count: 256)
        var stride: Int32 = 0
        guard let pixels = cxcb_grab(capture, &stride, &error, error.count) else {
            throw .grabFailed(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let buffer = UnsafeRawBufferPointer(start: pixels, count: Int(stride) * screenHeight)
        guard let frame = converter.convert(buffer, stride: Int(stride)) else { throw .grabFailed("short picture buffer") }
        lastError = nil
        return frame
    }
}
