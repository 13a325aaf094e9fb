/// A screen share this device sends or receives (`GET /screen`, and `screen` in `GET /status`).
public struct ScreenStatus: Codable, Sendable, Equatable {
    /// `outgoing` (we share) or `incoming` (a device shares with us).
    public var direction: String
    /// The other device's ID.
    public var device: String
    /// The other device's name.
    public var deviceName: String?
    /// The source (`x11:<display>`, `pattern:WxH` or a Y4M path) of an outgoing share.
    public var source: String?
    /// Frame size, once known.
    public var width: Int?
    /// Frame height, once known.
    public var height: Int?
    /// Frames encoded and sent (outgoing) or decoded (incoming).
    public var frames: Int
    /// When the share started (seconds since 1970).
    public var since: Double

    /// Creates a screen status.
    public init(direction: String, device: String, deviceName: String? = nil, source: String? = nil, width: Int? = nil,
                height: Int? = nil, frames: Int = 0, since: Double) {
        self.direction = direction; self.device = device; self.deviceName = deviceName; self.source = source
        self.width = width; self.height = height; self.frames = frames; self.since = since
    }
}

/// Body of `POST /screen/share`: share a screen (or a test source) with a device.
public struct ScreenShareRequest: Codable, Sendable, Equatable {
    /// The device: its ID, a unique ID prefix, or its name.
    public var device: String
    /// `x11` (the daemon's `$DISPLAY`), `x11:<display>` (e.g. `x11::1`), `pattern` (a moving
    /// test pattern, 320×240), `pattern:WxH`, or an absolute Y4M file path (played in a loop).
    /// Nil: the X11 screen when the daemon's `$DISPLAY` is set and reachable, else the pattern.
    public var source: String?
    /// Frames per second (1–30; default 15).
    public var frameRate: Int?
    /// Frame size `WxH` (even) for an X11 screen (scaled to cover, overflow cropped; default: the
    /// screen's size, fitted into 1920×1088) or the pattern. A Y4M file keeps its own size.
    public var size: String?
    /// Creates the request.
    public init(device: String, source: String? = nil, frameRate: Int? = nil, size: String? = nil) {
        self.device = device; self.source = source; self.frameRate = frameRate; self.size = size
    }
}

/// Body of `POST /screen/stop`: which outgoing share to stop (an empty body means the only one).
public struct ScreenStopRequest: Codable, Sendable, Equatable {
    /// The device shared with: its name, ID or unique ID prefix; nil when there is only one outgoing share.
    public var device: String?
    /// Creates the request.
    public init(device: String? = nil) { self.device = device }
}
