import Media
import PeerConnection
import RTCDriver
import WireKit

/// The sending side of a screen share: frames from the source every 1/fps, VP8-encoded in
/// realtime mode at a bitrate target, sent on the connection's video transceiver (RFC 7741
/// packets, NACK retransmissions and keyframes on PLI are the PeerConnection's). Created when a
/// share starts and dropped when it stops.
actor ScreenSender {
    private let driver: RTCDriver
    private let epoch: Instant
    private var pattern: TestPatternSource?
    private var file: Y4MReader?
    private var screen: X11ScreenSource?
    private let fileBytesPath: String?
    private let encoder: VP8Encoder
    private let interval: Duration
    private var next: Instant
    private var transceiver: TransceiverHandle?
    private var loop: Task<Void, Never>?
    /// Frame size.
    let width: Int, height: Int
    /// Frames encoded and handed to the connection.
    private(set) var framesSent = 0

    /// A sender of `source` at `frameRate` fps on `driver`'s video transceiver.
    init(driver: RTCDriver, epoch: Instant, source: ScreenSourceSpec, frameRate: Int) throws(DaemonError) {
        self.driver = driver
        self.epoch = epoch
        switch source {
        case .pattern(let w, let h):
            pattern = TestPatternSource(width: w, height: h)
            fileBytesPath = nil
            width = w; height = h
        case .y4m(let path):
            let reader = try ScreenSourceSpec.open(path)
            file = reader
            fileBytesPath = path
            width = reader.width; height = reader.height
        case .x11(let display, let w, let h):
            let capture = try ScreenSourceSpec.openX11(display, w.flatMap { w in h.map { (w, $0) } })
            screen = capture
            fileBytesPath = nil
            width = capture.width; height = capture.height
        }
        let pixels = width * height
        let kbps = max(300, min(4000, pixels * frameRate / 400))
        do { encoder = try VP8Encoder(width: width, height: height, frameRate: frameRate, bitrateKbps: kbps) } catch {
            throw .io("cannot start the VP8 encoder: \(error)")
        }
        interval = .nanoseconds(1_000_000_000 / Int64(frameRate))
        next = .monotonicNow()
    }

    /// Starts sending.
    func start() {
        guard loop == nil else { return }
        loop = Task { await self.run() }
    }

    /// Stops sending.
    func stop() {
        loop?.cancel()
        loop = nil
    }

    /// The peer lost a frame (PLI/FIR): the next frame is a keyframe.
    func requestKeyframe() { encoder.requestKeyframe() }

    private func run() async {
        while !Task.isCancelled {
            let now = Instant.monotonicNow()
            if now >= next {
                if now - next > interval * 4 { next = now }
                next += interval
                if let frame = nextFrame() { await send(frame, at: now) }
            }
            let wait = next - Instant.monotonicNow()
            if wait > .zero { try? await Task.sleep(for: wait) }
        }
    }

    /// Why the last X11 grab failed (nil while grabs work).
    var captureError: String? { screen?.lastError?.description }

    private func nextFrame() -> VideoFrame? {
        if let screen { return screen.nextFrame() }
        if pattern != nil { return pattern?.nextFrame() }
        if let f = file?.nextFrame() { return f }
        guard let path = fileBytesPath, let again = try? ScreenSourceSpec.open(path) else { return nil }
        file = again // loop the file
        return file?.nextFrame()
    }

    private func send(_ frame: VideoFrame, at now: Instant) async {
        guard let encoded = try? encoder.encode(frame) else { return }
        let timestamp = UInt32(truncatingIfNeeded: (now - epoch).nanosecondsClamped / 1_000_000_000 * 90000
                                  + (now - epoch).nanosecondsClamped % 1_000_000_000 * 90000 / 1_000_000_000)
        let known = transceiver
        let data = encoded.data
        let result = try? await driver.withConnection { pc -> (TransceiverHandle?, Bool) in
            guard let h = known ?? pc.transceivers.first(where: { $0.kind == .video && !$0.stopped && $0.currentDirection?.sends == true })?.handle else {
                return (nil, false)
            }
            return (h, (try? pc.sendVideo(h, frame: data, timestamp: timestamp)) == true)
        }
        if let h = result?.0 { transceiver = h }
        if result?.1 == true { framesSent += 1 } else if framesSent == 0 { encoder.requestKeyframe() }
    }
}
