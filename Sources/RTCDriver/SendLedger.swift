import PeerConnection
import Synchronization

/// What a sender off the event loop knows of each channel's send buffer, so a send below the
/// high-water mark can be handed to the loop without waiting for it (``RTCDriver/send(pieces:on:)``).
///
/// Per channel: the bytes posted to the loop and not yet queued in SCTP, the `bufferedAmount`
/// the loop saw last (it only grows on the loop when a send is queued there, which updates it,
/// so it is never below the true value: acknowledgements only lower the true one), the
/// high-water mark, and the error a posted send met (thrown by the next send).
final class SendLedger: Sendable {
    private struct Entry {
        var posted = 0
        var buffered = 0
        var highWaterMark: Int
        var failure: (any Error)?
    }

    private struct State {
        var entries: [DataChannelHandle: Entry] = [:]
        /// Set once the connection closed: every send fails with it.
        var closed: (any Error)?
    }

    private let state = Mutex(State())
    private let defaultHighWaterMark: Int

    init(defaultHighWaterMark: Int) { self.defaultHighWaterMark = defaultHighWaterMark }

    /// Reserves `bytes` for a send that goes to the loop without waiting: true while what is
    /// posted plus the last seen `bufferedAmount` is at or below the mark (so what a send
    /// leaves buffered is at most the mark plus its own bytes, as with a send that waits).
    /// Throws the failure of an earlier posted send.
    func reserve(_ bytes: Int, on handle: DataChannelHandle) throws -> Bool {
        try state.withLock { s throws -> Bool in
            if let closed = s.closed { throw closed }
            var entry = s.entries[handle] ?? Entry(highWaterMark: defaultHighWaterMark)
            if let failure = entry.failure { throw failure }
            guard entry.posted + entry.buffered <= entry.highWaterMark else { return false }
            entry.posted += bytes
            s.entries[handle] = entry
            return true
        }
    }

    /// On the loop, after a reserved send was queued (or failed with `failure`): its bytes
    /// are no longer posted and `buffered` is the channel's `bufferedAmount` now.
    func settle(_ bytes: Int, buffered: Int, failure: (any Error)?, on handle: DataChannelHandle) {
        state.withLock { s in
            guard var entry = s.entries[handle] else { return }
            entry.posted -= bytes
            entry.buffered = buffered
            if entry.failure == nil, let failure { entry.failure = failure }
            s.entries[handle] = entry
        }
    }

    /// On the loop: the channel's `bufferedAmount` is now `buffered` (after a waiting send was
    /// queued, or on `bufferedamountlow`).
    func update(buffered: Int, on handle: DataChannelHandle) {
        state.withLock { s in s.entries[handle]?.buffered = buffered }
    }

    /// The channel's high-water mark (the default until one is set).
    func highWaterMark(on handle: DataChannelHandle) -> Int {
        state.withLock { s in s.entries[handle]?.highWaterMark ?? defaultHighWaterMark }
    }

    /// Sets the channel's high-water mark.
    func setHighWaterMark(_ mark: Int, on handle: DataChannelHandle) {
        state.withLock { s in s.entries[handle, default: Entry(highWaterMark: mark)].highWaterMark = mark }
    }

    /// On the loop: the channel closed; its sends fail with `error` from now on.
    func fail(_ handle: DataChannelHandle, with error: any Error) {
        state.withLock { s in s.entries[handle, default: Entry(highWaterMark: defaultHighWaterMark)].failure = error }
    }

    /// On the loop: the connection closed; every send fails with `error` from now on.
    func close(with error: any Error) {
        state.withLock { s in
            if s.closed == nil { s.closed = error }
        }
    }
}
