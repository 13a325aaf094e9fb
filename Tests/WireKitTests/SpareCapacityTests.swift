import Testing
import WireKit

@Suite struct SpareCapacityTests {
    /// The threshold is count + count/4 + 256: a buffer at it is kept, one byte over is not.
    @Test(arguments: [(0, 256, false), (0, 257, true), (1000, 1506, false), (1000, 1507, true),
                      (16_384, 20_736, false), (16_384, 20_737, true), (200_000, 1_000_000, true)])
    func thresholdIsAQuarterPlus256Bytes(count: Int, capacity: Int, excessive: Bool) {
        #expect(SpareCapacity.isExcessive(capacity: capacity, keeping: count) == excessive)
    }

    /// A buffer that holds exactly its bytes, as a message assembled at its size does, is never excessive.
    @Test(arguments: [0, 1, 255, 1200, 65_536, 1 << 20])
    func aBufferOfItsOwnSizeIsKept(count: Int) {
        #expect(!SpareCapacity.isExcessive(capacity: count, keeping: count))
    }
}
