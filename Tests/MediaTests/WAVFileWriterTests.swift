import Foundation
import Testing
@testable import Media

/// The streaming WAV writer behind a call's `--output`: the file grows as audio arrives and is
/// a valid WAV of what was flushed at every moment; finishing patches the header for the rest.
@Suite struct WAVFileWriterTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wavwriter-\(UUID().uuidString).wav").path
    }

    @Test func fileIsValidWhileWritingAndCompleteAfterFinish() throws {
        let path = Self.tempPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try WAVFileWriter(path: path)
        writer.flushSamples = 4800
        var tone = ToneGenerator(frequency: 440, amplitude: 0.5)
        var expected: [Int16] = []
        // Empty at first: a valid WAV with no samples.
        #expect(try WAVFile.read(path: path).samples.isEmpty)
        for i in 0..<25 {
            let next = tone.read(frameCount: 960)
            let frame = try #require(next)
            expected += frame.samples
            writer.write(frame)
            // Every 5 frames (4800 samples) a block reaches the disk, header patched.
            let onDisk = try WAVFile.read(path: path)
            #expect(onDisk.samples.count == (i + 1) / 5 * 4800, "after frame \(i)")
            #expect(onDisk.samples == Array(expected.prefix(onDisk.samples.count)))
        }
        let tail = tone.read(frameCount: 480)
        let last = try #require(tail)
        expected += last.samples
        writer.write(last)
        #expect(try WAVFile.read(path: path).samples.count == 24000, "the last partial block is still buffered")
        try writer.finish()
        let done = try WAVFile.read(path: path)
        #expect(done == WAVFile(sampleRate: 48000, channels: 1, samples: expected))
        #expect(writer.samplesWritten == expected.count)
        // Writing after finish is ignored, finishing again is harmless.
        writer.write(last)
        try writer.finish()
        #expect(try WAVFile.read(path: path).samples.count == expected.count)
    }

    @Test func aPathThatCannotBeCreatedFailsAtOnce() {
        #expect(throws: WAVError.self) { try WAVFileWriter(path: "/nonexistent-dir-\(UUID().uuidString)/out.wav") }
    }
}
