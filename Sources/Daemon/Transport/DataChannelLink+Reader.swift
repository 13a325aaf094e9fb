import DataChannel
import PeerConnection
import RTCDriver
import SyncProtocol

extension DataChannelLink {
    /// Turns the channel's message batches (one per read burst, from the driver) into whole
    /// sync frames, in the reading task itself: no forwarding task and no queue between the
    /// event loop and the folder, so a burst crosses threads once.
    ///
    /// A message that is exactly one frame (most are) is passed on as it is; pieces of larger
    /// frames are joined by their length prefixes (``FrameAssembler``). A malformed length
    /// closes the channel; the frames before it are still handed out.
    ///
    /// `@unchecked Sendable`: the two `AsyncStream(unfolding:)` producers of the link capture
    /// it, and only one of the two streams is read (``BatchReceivingPeerLink``), by one task;
    /// an `AsyncStream` calls its producer for one `next()` at a time, so the mutable state
    /// here is never touched concurrently.
    final class Reader: @unchecked Sendable {
        private var batches: AsyncStream<[DataChannelMessage]>.Iterator
        private var assembler = FrameAssembler()
        private var ready = FrameFIFO()
        private var failed = false
        private let driver: RTCDriver
        private let handle: DataChannelHandle

        init(batches: AsyncStream<[DataChannelMessage]>, driver: RTCDriver, handle: DataChannelHandle) {
            self.batches = batches.makeAsyncIterator()
            self.driver = driver
            self.handle = handle
        }

        /// The frames received, in order: at least one, and more while they total under
        /// `limitBytes`. Suspends until a burst completes a frame; nil once the channel's
        /// stream ended (closed, or the reading task cancelled) and every frame was taken.
        func next(limitBytes: Int) async -> [[UInt8]]? {
            while true {
                if let frames = ready.take(limitBytes: limitBytes) { return frames }
                guard !failed, let messages = await batches.next() else { return nil }
                for message in messages where !failed { add(message.data) }
                if failed { try? await driver.closeDataChannel(handle) }
            }
        }

        private func add(_ data: [UInt8]) {
            if assembler.bufferedBytes == 0, let whole = DataChannelLink.wholeFrame(data) {
                ready.append(whole)
                return
            }
            assembler.append(data)
            do {
                while let frame = try assembler.nextFrame() { ready.append(frame) }
            } catch {
                failed = true
            }
        }
    }
}
