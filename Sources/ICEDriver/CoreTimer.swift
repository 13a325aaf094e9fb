import NIOCore
import WireKit

/// The one timer of a sans-IO core run on an event loop (ICEDriver, RTCDriver): armed from
/// the core's `pollTimeout()` after every input, it calls `handler` on the loop when the
/// deadline has passed.
///
/// Re-arming for a *later* deadline keeps the timer already scheduled: it fires early, the
/// handler feeds `handle(timeout:)` (a no-op for timers not yet due) and re-arms. Cores move
/// deadlines later all the time (SCTP restarts T3-rtx on every SACK), and cancelling and
/// scheduling a NIO task for each of those costs more than one spurious wake-up.
///
/// Confined to `loop`, like the core it drives.
public final class CoreTimer {
    private let loop: any EventLoop
    private let handler: () -> Void
    private var scheduled: Scheduled<Void>?
    private var scheduledDeadline: Instant?

    /// A timer on `loop` that calls `handler` (on the loop) when an armed deadline passes.
    public init(loop: any EventLoop, handler: @escaping () -> Void) {
        self.loop = loop
        self.handler = handler
    }

    /// The deadline the timer will fire at, if armed.
    public var deadline: Instant? { scheduled == nil ? nil : scheduledDeadline }

    /// Arms the timer for `deadline` (the core's `pollTimeout()`); nil cancels it.
    public func arm(_ deadline: Instant?) {
        guard let deadline else {
            cancel()
            return
        }
        if scheduled != nil, let current = scheduledDeadline, current <= deadline { return }
        scheduled?.cancel()
        scheduledDeadline = deadline
        let delay = max(0, (deadline - Instant.monotonicNow()).nanosecondsClamped)
        let bound = NIOLoopBound(self, eventLoop: loop)
        scheduled = loop.scheduleTask(in: .nanoseconds(delay)) {
            let timer = bound.value
            timer.scheduled = nil
            timer.scheduledDeadline = nil
            timer.handler()
        }
    }

    /// Cancels the armed deadline, if any.
    public func cancel() {
        scheduled?.cancel()
        scheduled = nil
        scheduledDeadline = nil
    }
}
