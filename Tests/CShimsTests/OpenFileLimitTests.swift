#if canImport(Glibc)
import Glibc
#endif
import CPlatform
import Testing

/// syncd raises its soft open-file limit at start: up to the hard limit and the cap, never down.
@Suite struct OpenFileLimitTests {
    func limits() -> (soft: UInt64, hard: UInt64) {
        var rl = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &rl) == 0)
        return (UInt64(rl.rlim_cur), UInt64(rl.rlim_max))
    }

    @Test func theSoftLimitRisesToTheHardOneWithinTheCapAndNeverFalls() {
        let before = limits()
        // A cap below the current soft limit changes nothing.
        #expect(cplatform_raise_open_file_limit(before.soft > 1 ? before.soft - 1 : 1) == Int64(before.soft))
        #expect(limits().soft == before.soft)
        // Lower the soft limit a little (an unprivileged process may; by little, so that tests
        // running alongside in this process keep their room), then raise it with a cap between.
        let lowered = before.soft > 128 ? before.soft - 64 : before.soft
        var rl = rlimit(rlim_cur: rlim_t(lowered), rlim_max: rlim_t(before.hard))
        #expect(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &rl) == 0)
        let cap = before.soft > 128 ? before.soft - 32 : before.soft
        #expect(cplatform_raise_open_file_limit(cap) == Int64(max(cap, lowered)))
        #expect(limits().soft == max(cap, lowered))
        // Up to the hard limit when the cap is above it; restores the test process's limit.
        #expect(cplatform_raise_open_file_limit(UInt64.max) == Int64(before.hard))
        rl = rlimit(rlim_cur: rlim_t(before.soft), rlim_max: rlim_t(before.hard))
        #expect(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &rl) == 0)
        #expect(limits() == before)
    }
}
