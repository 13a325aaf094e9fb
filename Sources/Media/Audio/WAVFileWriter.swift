#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes 16-bit PCM audio to a WAV file as it arrives (a call's `--output`), instead of
/// holding it all in memory until the end.
///
/// The file is created with a canonical 44-byte header whose sizes say "empty"; samples are
/// appended in blocks of ``flushSamples``, and after each block the RIFF and `data` sizes are
/// patched in place, so the file on disk is a valid WAV of everything flushed so far (a player
/// or a crash sees at most one block less). ``finish()`` writes the rest, patches the header a
/// last time and closes the file. Memory use stays at one block whatever the call's length.
public final class WAVFileWriter: AudioSink {
    /// The file's path.
    public let path: String
    /// Samples per second per channel.
    public let sampleRate: Int
    /// Interleaved channel count.
    public let channels: Int
    /// Samples (all channels) written to the file so far, flushed or not.
    public private(set) var samplesWritten = 0
    /// Buffered samples are written once this many are waiting (0.25 s of mono 48 kHz).
    public var flushSamples = 12_000
    /// The first write error (later writes are skipped; ``finish()`` throws it).
    public private(set) var failure: WAVError?
    private var fd: Int32
    private var pending: [Int16] = []
    private var flushedBytes = 0

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String, sampleRate: Int = 48000, channels: Int = 1) throws(WAVError) {
        self.path = path
        self.sampleRate = sampleRate
        self.channels = channels
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(errno) }
        let header = WAVFile(sampleRate: sampleRate, channels: channels, samples: []).serialized()
        if let error = Self.write(fd, header, at: 0) {
            close(fd)
            fd = -1
            throw error
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `frame`'s samples (written to disk once a block is full).
    public func write(_ frame: AudioFrame) {
        guard fd >= 0 else { return }
        pending.append(contentsOf: frame.samples)
        samplesWritten += frame.samples.count
        if pending.count >= flushSamples { flush() }
    }

    /// Writes what is buffered and patches the header's sizes.
    public func flush() {
        guard fd >= 0, failure == nil else { pending.removeAll(); return }
        if !pending.isEmpty {
            var bytes = [UInt8]()
            bytes.reserveCapacity(pending.count * 2)
            for s in pending {
                let u = UInt16(bitPattern: s)
                bytes.append(UInt8(truncatingIfNeeded: u))
                bytes.append(UInt8(truncatingIfNeeded: u >> 8))
            }
            pending.removeAll(keepingCapacity: true)
            if let error = Self.write(fd, bytes, at: 44 + flushedBytes) { failure = error; return }
            flushedBytes += bytes.count
        }
        let data = UInt32(clamping: flushedBytes)
        if let error = Self.write(fd, Self.le32(36 &+ data), at: 4) ?? Self.write(fd, Self.le32(data), at: 40) { failure = error }
    }

    /// Flushes, patches the header and closes the file; throws the first write error.
    public func finish() throws(WAVError) {
        guard fd >= 0 else { if let failure { throw failure }; return }
        flush()
        if fsync(fd) != 0, failure == nil { failure = .io(errno) }
        close(fd)
        fd = -1
        if let failure { throw failure }
    }

    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// `pwrite`s all of `bytes` at `offset`; the error, if any.
    private static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int) -> WAVError? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return pwrite(fd, base + done, buf.count - done, off_t(offset + done))
            }
            if n < 0 { if errno == EINTR { continue }; return .io(errno) }
            if n == 0 { return .io(EIO) }
            done += n
        }
        return nil
    }
}
