import WireKit

/// One received DATA or I-DATA fragment as the receive path and reassembly see it: both chunk
/// types map onto these fields, so one path serves both.
///
/// The payload is passed beside it (a pointer into the received packet, valid for the call
/// only), so nothing on the hot path retains the packet.
struct DataFragment: Sendable, Equatable {
    /// Transmission sequence number.
    var tsn: UInt32
    /// Stream identifier.
    var streamID: UInt16
    /// The chunk flags as on the wire (U 0x04, B 0x02, E 0x01).
    var flags: UInt8
    /// Payload protocol identifier (meaningful on the first fragment).
    var ppid: UInt32
    /// Which message of the stream: the SSN of ordered DATA, the MID of I-DATA; 0 for
    /// unordered DATA, whose SSN means nothing (its messages are told apart by TSN).
    var sequence: UInt32
    /// Where in its message: the TSN for DATA (a message's fragments carry consecutive TSNs,
    /// RFC 9260 §6.9), the FSN for I-DATA (0 on the first fragment, RFC 8260 §2.1).
    var position: UInt32

    /// U bit: deliver without regard to stream order.
    var unordered: Bool { flags & 0x04 != 0 }
    /// B bit: first fragment of a message.
    var beginning: Bool { flags & 0x02 != 0 }
    /// E bit: last fragment of a message.
    var ending: Bool { flags & 0x01 != 0 }

    /// The fragment of a DATA chunk read in place: `word1` is stream id and SSN, `word2` the PPID.
    @inline(__always) init(dataTSN tsn: UInt32, flags: UInt8, word1: UInt32, word2: UInt32) {
        self.tsn = tsn
        self.streamID = UInt16(truncatingIfNeeded: word1 >> 16)
        self.flags = flags & 0x07
        self.ppid = word2
        self.sequence = flags & 0x04 != 0 ? 0 : word1 & 0xFFFF
        self.position = tsn
    }

    /// The fragment of an I-DATA chunk read in place: `word1` is stream id and reserved bits,
    /// `word2` the MID, `word3` the PPID (first fragment) or FSN (the others).
    @inline(__always) init(iDataTSN tsn: UInt32, flags: UInt8, word1: UInt32, word2: UInt32, word3: UInt32) {
        self.tsn = tsn
        self.streamID = UInt16(truncatingIfNeeded: word1 >> 16)
        self.flags = flags & 0x07
        let beginning = flags & 0x02 != 0
        self.ppid = beginning ? word3 : 0
        self.sequence = word2
        self.position = beginning ? 0 : word3
    }
}

/// A chunk type that carries message fragments (DATA, I-DATA): what the general receive path
/// needs of it. Generic code over it is specialized per chunk type.
protocol FragmentChunk {
    /// The fragment's fields.
    var fragment: DataFragment { get }
    /// The user data.
    var payload: ArraySlice<UInt8> { get }
}

extension DataChunk: FragmentChunk {
    var fragment: DataFragment {
        DataFragment(dataTSN: tsn, flags: flags, word1: UInt32(streamID) << 16 | UInt32(ssn), word2: ppid)
    }
}

extension IDataChunk: FragmentChunk {
    var fragment: DataFragment {
        DataFragment(iDataTSN: tsn, flags: flags, word1: UInt32(streamID) << 16, word2: mid, word3: beginning ? ppid : fsn)
    }
}

/// A fragment held with its own copy of the payload (until a deferred stream reset is performed).
struct HeldFragment: Sendable {
    var fragment: DataFragment
    var payload: [UInt8]
}
