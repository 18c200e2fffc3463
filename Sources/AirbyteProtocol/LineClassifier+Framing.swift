/// The classifier's word-at-a-time helpers: the relay's framing check after `data`,
/// the `"namespace"` search, and the structural-byte test used when skipping values.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ByteScanner {
    /// At the `{` of `data`: the line ends with `}` `}` (whitespace allowed) after it, and
    /// names no `"namespace"` later unless one was already seen (then a full scan decides).
    func framedAfterData(namespaceSeen: Bool) -> Bool {
        var j = bytes.count - 1
        func skipBackWhitespace() { while j > i, [0x20, 0x09, 0x0D, 0x0A].contains(bytes[j]) { j -= 1 } }
        skipBackWhitespace()
        guard j > i, bytes[j] == Self.closeBrace else { return false }
        j -= 1
        skipBackWhitespace()
        guard j > i + 1, bytes[j] == Self.closeBrace else { return false }
        if namespaceSeen { return true }
        return !contains(Self.namespaceKey, from: i)
    }

    static let namespaceKey: StaticString = "\"namespace\""

    /// Whether `needle` (at least 2 bytes, starting with `"`) occurs at or after `from`.
    /// Eight candidate positions at a time: first, second and last byte must match.
    func contains(_ needle: StaticString, from: Int) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let n = needle.utf8CodeUnitCount, p = needle.utf8Start
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let first = ones &* UInt64(p[0]), second = ones &* UInt64(p[1]), last = ones &* UInt64(p[n - 1])
        func zeros(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        var k = from
        while k + n - 1 + 8 <= bytes.count {
            let m = zeros(raw.loadUnaligned(fromByteOffset: k, as: UInt64.self) ^ first)
                & zeros(raw.loadUnaligned(fromByteOffset: k + 1, as: UInt64.self) ^ second)
                & zeros(raw.loadUnaligned(fromByteOffset: k + n - 1, as: UInt64.self) ^ last)
            var candidates = m
            while candidates != 0 {
                // A flagged byte may be a false positive (borrow): verify it.
                let c = candidates.trailingZeroBitCount / 8
                if memcmp(raw + k + c, p, n) == 0 { return true }
                candidates &= candidates &- 1
            }
            k += 8
        }
        while k + n <= bytes.count {
            if memcmp(raw + k, p, n) == 0 { return true }
            k += 1
        }
        return false
    }

    /// Whether any byte of `w` is `"`, `{`, `}`, `[` or `]` (SWAR: a zero byte after XOR
    /// with the pattern; `{`/`[` and `}`/`]` differ only in bit 5, so one test covers each pair).
    @inline(__always) static func hasStructural(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let folded = w | (ones &* 0x20)  // '[' 0x5B -> 0x7B '{', ']' 0x5D -> 0x7D '}'
        let q = w ^ (ones &* 0x22), open = folded ^ (ones &* 0x7B), close = folded ^ (ones &* 0x7D)
        return ((q &- ones) & ~q | (open &- ones) & ~open | (close &- ones) & ~close) & highs != 0
    }
}
