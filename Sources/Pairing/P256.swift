import COpenSSL

/// P-256 (secp256r1) point and scalar arithmetic through OpenSSL's EC_POINT / BIGNUM.
///
/// Points travel as uncompressed SEC1 (65 bytes), scalars as 32-byte big-endian integers.
/// Every decoded point is checked to lie on the curve and not be the identity. Objects are
/// created per operation and freed at once; nothing here is shared between threads.
final class P256 {
    let group: OpaquePointer
    let ctx: OpaquePointer
    let order: OpaquePointer

    /// Uncompressed SEC1 point length.
    static let pointLength = 65
    /// Scalar length in bytes.
    static let scalarLength = 32

    init() {
        guard let group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), let ctx = BN_CTX_new() else {
            preconditionFailure("OpenSSL has no P-256")
        }
        guard let order = BN_new(), EC_GROUP_get_order(group, order, ctx) == 1 else {
            preconditionFailure("OpenSSL P-256 order unavailable")
        }
        self.group = group
        self.ctx = ctx
        self.order = order
    }

    deinit {
        BN_free(order)
        BN_CTX_free(ctx)
        EC_GROUP_free(group)
    }

    /// An owned EC_POINT.
    final class Point {
        let raw: OpaquePointer
        init(_ group: OpaquePointer) {
            guard let p = EC_POINT_new(group) else { preconditionFailure("EC_POINT_new failed") }
            raw = p
        }
        deinit { EC_POINT_free(raw) }
    }

    /// An owned BIGNUM.
    final class Scalar {
        let raw: OpaquePointer
        init(bytes: [UInt8]) {
            guard let b = BN_bin2bn(bytes, Int32(bytes.count), nil) else { preconditionFailure("BN_bin2bn failed") }
            raw = b
        }
        deinit { BN_clear_free(raw) }
    }

    /// Decodes a SEC1 point (compressed or uncompressed); nil if not on the curve or the identity.
    func point(_ bytes: [UInt8]) -> Point? {
        let p = Point(group)
        guard EC_POINT_oct2point(group, p.raw, bytes, bytes.count, ctx) == 1,
              EC_POINT_is_on_curve(group, p.raw, ctx) == 1,
              EC_POINT_is_at_infinity(group, p.raw) == 0 else { return nil }
        return p
    }

    /// Encodes as uncompressed SEC1; nil for the identity.
    func encode(_ p: Point) -> [UInt8]? {
        guard EC_POINT_is_at_infinity(group, p.raw) == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Self.pointLength)
        let n = EC_POINT_point2oct(group, p.raw, POINT_CONVERSION_UNCOMPRESSED, &out, out.count, ctx)
        return n == Self.pointLength ? out : nil
    }

    /// `big-endian bytes mod order` as a 32-byte big-endian scalar.
    func reduce(_ bytes: [UInt8]) -> [UInt8] {
        let v = Scalar(bytes: bytes)
        guard let r = BN_new() else { preconditionFailure("BN_new failed") }
        defer { BN_clear_free(r) }
        guard BN_nnmod(r, v.raw, order, ctx) == 1 else { preconditionFailure("BN_nnmod failed") }
        var out = [UInt8](repeating: 0, count: Self.scalarLength)
        guard BN_bn2binpad(r, &out, Int32(out.count)) == Int32(out.count) else { preconditionFailure("BN_bn2binpad failed") }
        return out
    }

    /// `g·G + m·Q` (either term may be omitted).
    func multiply(generator g: [UInt8]?, point q: Point? = nil, by m: [UInt8]? = nil) -> Point {
        let r = Point(group)
        let gs = g.map { Scalar(bytes: $0) }
        let ms = m.map { Scalar(bytes: $0) }
        guard EC_POINT_mul(group, r.raw, gs?.raw, q?.raw, ms?.raw, ctx) == 1 else {
            preconditionFailure("EC_POINT_mul failed")
        }
        return r
    }

    /// `a - b`.
    func subtract(_ a: Point, _ b: Point) -> Point {
        let negB = Point(group)
        let r = Point(group)
        guard EC_POINT_copy(negB.raw, b.raw) == 1, EC_POINT_invert(group, negB.raw, ctx) == 1,
              EC_POINT_add(group, r.raw, a.raw, negB.raw, ctx) == 1 else {
            preconditionFailure("EC_POINT subtraction failed")
        }
        return r
    }
}
