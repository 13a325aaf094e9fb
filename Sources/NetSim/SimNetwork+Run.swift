import WireKit

extension SimNetwork {
    /// Runs until `done()` is true; advances virtual time to the earliest deadline of any
    /// endpoint or in-flight datagram; throws `SimError.stepLimit` / `.timeLimit` (with the
    /// trace tail and the seed) when bounds are hit, `.stalled` when nothing is left to happen.
    ///
    /// `done` is checked before every step (so a condition that already holds returns at once).
    /// `maxTime` counts from the virtual time at the call.
    public func run(maxSteps: Int = 1_000_000, maxTime: Duration = .seconds(600), until done: () -> Bool) throws(SimError) {
        let limit = (now + maxTime).nanoseconds
        var steps = 0
        while true {
            drainAll()
            if done() { return }
            guard let next = nextEvent() else { throw .stalled(failure(steps: steps)) }
            if next.time > limit { throw .timeLimit(failure(steps: steps)) }
            if steps >= maxSteps { throw .stepLimit(failure(steps: steps)) }
            perform(next)
            steps += 1
        }
    }

    /// Runs for a fixed span of virtual time: every event up to and including `now + duration`
    /// happens, then the clock stands at `now + duration`.
    public func run(for duration: Duration, maxSteps: Int = 1_000_000) throws(SimError) {
        let end = (now + duration).nanoseconds
        var steps = 0
        while true {
            drainAll()
            guard let next = nextEvent(), next.time <= end else {
                advanceClock(to: end)
                return
            }
            if steps >= maxSteps { throw .stepLimit(failure(steps: steps)) }
            perform(next)
            steps += 1
        }
    }

    /// Performs the single earliest event (a datagram stage or one endpoint's timeout).
    /// Returns false, doing nothing, when nothing is scheduled.
    @discardableResult
    public func step() -> Bool {
        drainAll()
        guard let next = nextEvent() else { return false }
        perform(next)
        return true
    }

    /// The earliest event: a datagram stage (wins ties) or the host with the earliest deadline.
    struct NextEvent {
        var time: UInt64
        /// nil: the heap's first datagram.
        var timerHost: Int?
    }

    func nextEvent() -> NextEvent? {
        var best: NextEvent?
        if let t = heap.firstTime { best = NextEvent(time: max(t, now.nanoseconds), timerHost: nil) }
        for i in hosts.indices {
            guard let deadline = endpoints[i].pollTimeout() else { continue }
            let t = max(deadline.nanoseconds, now.nanoseconds)
            if best.map({ t < $0.time }) ?? true { best = NextEvent(time: t, timerHost: i) }
        }
        return best
    }

    func perform(_ event: NextEvent) {
        advanceClock(to: event.time)
        if let host = event.timerHost {
            let endpoint = endpoints[host]
            endpoint.handle(timeout: now)
            drain(host)
            return
        }
        guard let packet = heap.pop() else { return }
        switch packet.stage {
        case .routed: routeStage(packet)
        case .arrived: deliverStage(packet)
        }
    }

    /// Sends everything host `index`'s endpoint has queued.
    func drain(_ index: Int) {
        let endpoint = endpoints[index]
        while let transmit = endpoint.pollTransmit() { inject(transmit, from: index) }
    }

    func drainAll() {
        for i in hosts.indices { drain(i) }
    }

    func failure(steps: Int) -> SimFailure {
        SimFailure(seed: seed, now: now, steps: steps, traceTail: ring.last(50), stats: stats)
    }
}
