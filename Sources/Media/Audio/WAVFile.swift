#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a WAV file could not be read or written.
public enum WAVError: Error, Equatable, Sendable {
    /// The bytes are not a RIFF/WAVE file we understand (16-bit PCM only).
    case unsupported(String)
    /// A chunk length ran past the end of the file.
    case truncated
    /// The file could not be opened, read or written (errno).
    case io(Int32)
}

/// A 16-bit PCM WAV file in memory: parse, serialise, read and write files.
public struct WAVFile: Equatable, Sendable {
    /// Samples per second per channel.
    public var sampleRate: Int
    /// Interleaved channel count.
    public var channels: Int
    /// Interleaved samples.
    public var samples: [Int16]

    /// A WAV of `samples`.
    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// Parses RIFF/WAVE bytes (PCM, 16 bits per sample).
    public init(parsing bytes: [UInt8]) throws(WAVError) {
        func le32(_ i: Int) -> UInt32 { UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24 }
        func le16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw .unsupported("not RIFF/WAVE")
        }
        var i = 12
        var format: (channels: Int, rate: Int, bits: Int)?
        var data: ArraySlice<UInt8>?
        while i + 8 <= bytes.count {
            let id = bytes[i..<(i + 4)]
            let size = Int(le32(i + 4))
            let body = i + 8
            guard size <= bytes.count - body else {
                // Streams written without a final size often leave `data` at 0 or too large: take the rest.
                if id.elementsEqual("data".utf8) { data = bytes[body...]; break }
                throw .truncated
            }
            if id.elementsEqual("fmt ".utf8) {
                guard size >= 16 else { throw .truncated }
                let tag = le16(body)
                guard tag == 1 || tag == 0xFFFE else { throw .unsupported("format tag \(tag), only PCM") }
                format = (Int(le16(body + 2)), Int(le32(body + 4)), Int(le16(body + 14)))
            } else if id.elementsEqual("data".utf8) {
                data = bytes[body..<(body + size)]
            }
            i = body + size + (size & 1)
        }
        guard let format, let data else { throw .unsupported("missing fmt or data chunk") }
        guard format.bits == 16, (1...8).contains(format.channels), (1000...384_000).contains(format.rate) else {
            throw .unsupported("\(format.bits)-bit, \(format.channels) channels, \(format.rate) Hz")
        }
        sampleRate = format.rate
        channels = format.channels
        var out = [Int16]()
        out.reserveCapacity(data.count / 2)
        var j = data.startIndex
        while j + 1 < data.endIndex {
            out.append(Int16(bitPattern: UInt16(data[j]) | UInt16(data[j + 1]) << 8))
            j += 2
        }
        samples = out
    }

    /// The file's bytes (canonical 44-byte header).
    public func serialized() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(44 + samples.count * 2)
        func put32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        func put16(_ v: UInt16) { out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8)) }
        let dataBytes = UInt32(clamping: samples.count * 2)
        out += Array("RIFF".utf8); put32(36 &+ dataBytes); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); put32(16); put16(1); put16(UInt16(channels)); put32(UInt32(sampleRate))
        put32(UInt32(sampleRate * channels * 2)); put16(UInt16(channels * 2)); put16(16)
        out += Array("data".utf8); put32(dataBytes)
        for s in samples { put16(UInt16(bitPattern: s)) }
        return out
    }

    /// Reads and parses the WAV file at `path`.
    public static func read(path: String) throws(WAVError) -> WAVFile {
        try WAVFile(parsing: try FileBytes.read(path: path))
    }

    /// Writes this WAV to `path`, replacing it.
    public func write(path: String) throws(WAVError) {
        try FileBytes.write(serialized(), path: path)
    }
}

/// Whole-file reads and writes with POSIX calls (the media module avoids Foundation).
enum FileBytes {
    static func read(path: String) throws(WAVError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(errno) }
        defer { close(fd) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw .io(errno) }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    static func write(_ bytes: [UInt8], path: String) throws(WAVError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return Glibc.write(fd, base + offset, buf.count - offset)
            }
            if n < 0 { if errno == EINTR { continue }; throw .io(errno) }
            offset += n
        }
    }
}

/// Plays a WAV file as an audio source.
public struct WAVFileSource: AudioSource, Sendable {
    /// The file being played.
    public let file: WAVFile
    private var position = 0

    /// A source over `file`.
    public init(file: WAVFile) { self.file = file }

    /// The next `frameCount` samples per channel, or nil at the end.
    public mutating func read(frameCount: Int) -> AudioFrame? {
        guard position < file.samples.count else { return nil }
        let end = min(file.samples.count, position + frameCount * file.channels)
        defer { position = end }
        return AudioFrame(samples: Array(file.samples[position..<end]), sampleRate: file.sampleRate, channels: file.channels)
    }
}

/// Collects audio and writes it as a WAV file on ``finish(path:)``.
public struct WAVFileSink: AudioSink, Sendable {
    /// The audio collected so far.
    public private(set) var file: WAVFile

    /// A sink for audio at `sampleRate` with `channels` channels.
    public init(sampleRate: Int = 48000, channels: Int = 1) {
        file = WAVFile(sampleRate: sampleRate, channels: channels, samples: [])
    }

    /// Appends `frame`.
    public mutating func write(_ frame: AudioFrame) { file.samples.append(contentsOf: frame.samples) }

    /// Writes the collected audio to `path`.
    public func finish(path: String) throws(WAVError) { try file.write(path: path) }
}
