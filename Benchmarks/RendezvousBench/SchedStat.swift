import Foundation

/// A process's scheduler statistics summed over its threads, from `/proc/PID/task/*/schedstat`
/// (time on a CPU, time runnable but waiting for one, timeslices run): the wait tells latency
/// caused by CPU contention apart from latency of the work itself.
struct SchedStat {
    /// (run ns, wait ns, timeslices) by thread ID.
    var threads: [Substring: (run: UInt64, wait: UInt64, slices: UInt64)] = [:]

    /// Seconds spent runnable, waiting for a CPU, summed over the threads.
    var waitSeconds: Double { Double(threads.values.reduce(0) { $0 &+ $1.wait }) / 1e9 }
    /// Timeslices run, summed over the threads.
    var slices: UInt64 { threads.values.reduce(0) { $0 &+ $1.slices } }

    /// The readings of `pid`'s threads now (none where /proc cannot be read).
    static func of(pid: Int32) -> SchedStat {
        var stat = SchedStat()
        let directory = "/proc/\(pid)/task"
        for task in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let text = try? String(contentsOfFile: "\(directory)/\(task)/schedstat", encoding: .utf8) else { continue }
            let fields = text.split(whereSeparator: \.isWhitespace).compactMap { UInt64($0) }
            guard fields.count >= 3 else { continue }
            stat.threads[Substring(task)] = (fields[0], fields[1], fields[2])
        }
        return stat
    }

    /// What each thread did between two readings (a thread that started in between counts
    /// whole; one that ended in between is not counted).
    static func - (after: SchedStat, before: SchedStat) -> SchedStat {
        var difference = SchedStat()
        for (thread, now) in after.threads {
            let then = before.threads[thread] ?? (0, 0, 0)
            difference.threads[thread] = (now.run &- then.run, now.wait &- then.wait, now.slices &- then.slices)
        }
        return difference
    }
}
