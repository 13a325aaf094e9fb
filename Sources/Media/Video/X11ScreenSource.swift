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
/// The screen may change size while it is captured (RandR: a monitor plugged in, `xrandr`).
/// The output size never changes (the encoder, the RTP stream and a viewer's Y4M keep their
/// resolution): before each grab the root window's size is asked for, and when it differs the
/// capture is reopened at the new size and the new screen is scaled to cover the same output
/// (``geometryChanges`` counts these). A grab that fails because the size changed between the
/// question and the grab is retried once.
///
/// libxcb is loaded with dlopen on first use (the `CXCBDL` shim), so nothing links X11.
/// The capture owns its connection and shared memory segment; both are released on deinit.
public final class X11ScreenSource: VideoSource {
    /// The display name used (nil: `$DISPLAY`).
    public let display: String?
    /// The screen's size (updated when it changes).
    public private(set) var screenWidth: Int, screenHeight: Int
    /// How often the screen changed size during the capture.
    public private(set) var geometryChanges = 0
    /// The output frame size.
    public var width: Int { converter.width }
    /// The output frame size.
    public var height: Int { converter.height }
    /// True when frames come through MIT-SHM.
    public var usesSharedMemory: Bool { cxcb_uses_shm(capture) != 0 }
    /// The last grab's failure (``nextFrame()`` then returns nil).
    public private(set) var lastError: X11CaptureError?
    private var capture: OpaquePointer
    private var converter: BGRXConverter
    private let sharedMemory: Bool

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
        self.sharedMemory = sharedMemory
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

    /// Grabs the screen now (following a change of its size); throws why it failed.
    public func grab() throws(X11CaptureError) -> VideoFrame {
        try followGeometry()
        do { return try grabOnce() } catch {
            // The size may have changed between the question and the grab.
            guard try followGeometry() else { throw error }
            return try grabOnce()
        }
    }

    /// Reopens the capture when the root window's size changed; true when it did.
    @discardableResult
    private func followGeometry() throws(X11CaptureError) -> Bool {
        var w: Int32 = 0, h: Int32 = 0
        guard cxcb_query_size(capture, &w, &h) == 0, w > 0, h > 0, Int(w) != screenWidth || Int(h) != screenHeight else { return false }
        var error = [CChar](repeating: 0, count: 256)
        guard let c = cxcb_open(display, sharedMemory ? 1 : 0, &error, error.count) else {
            throw .grabFailed("the screen changed size and could not be opened again: "
                              + String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        cxcb_close(capture)
        capture = c
        screenWidth = Int(cxcb_width(c))
        screenHeight = Int(cxcb_height(c))
        converter = BGRXConverter(sourceWidth: screenWidth, sourceHeight: screenHeight, width: converter.width, height: converter.height)
        geometryChanges += 1
        return true
    }

    private func grabOnce() throws(X11CaptureError) -> VideoFrame {
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
