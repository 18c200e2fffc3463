/// The classifier's fast paths: the relay's common RECORD opening, the framing check
/// after `data`, the `"namespace"` search (SIMD), and the structural-byte test used
/// when skipping values.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ByteScanner {
    static let recordOpening: StaticString = #"{"type":"RECORD","record":{"stream":""#
    static let spacedRecordOpening: StaticString = #"{"type": "RECORD", "record": {"stream": ""#
    static let dataOpening: StaticString = #","data":{"#
    static let spacedDataOpening: StaticString = #", "data": {"#

    /// The relay's fast path for the line shape every Airbyte CDK writes (compact, or
    /// Python's `json.dumps` spacing): a fixed opening up to the stream name, a name
    /// without escapes, `data` next, then the framing check. nil: take the general path
    /// (which gives the same answer for these lines, only slower).
    mutating func classifyCommonRecord() -> LineClassification? {
        guard let base = bytes.baseAddress else { return nil }
        let spaced: Bool
        if hasPrefix(Self.recordOpening, at: 0) { spaced = false; i = Self.recordOpening.utf8CodeUnitCount }
        else if hasPrefix(Self.spacedRecordOpening, at: 0) { spaced = true; i = Self.spacedRecordOpening.utf8CodeUnitCount }
        else { return nil }
        let nameStart = i
        guard let hit = memchr(base + i, Int32(Self.quote), bytes.count - i) else { return nil }
        let nameEnd = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        for k in nameStart..<nameEnd where bytes[k] == Self.backslash || bytes[k] < 0x20 { return nil }
        let data = spaced ? Self.spacedDataOpening : Self.dataOpening
        guard hasPrefix(data, at: nameEnd + 1) else { return nil }
        i = nameEnd + data.utf8CodeUnitCount   // at the `{` of `data`
        guard framedAfterData(namespaceSeen: false) else { return nil }
        return .record(stream: StringSpan(range: nameStart..<nameEnd, hasEscapes: false), namespace: nil)
    }

    func hasPrefix(_ literal: StaticString, at offset: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard let base = bytes.baseAddress, offset + n <= bytes.count else { return false }
        return Self.equalBytes(base + offset, literal.utf8Start, n)
    }

    /// memcmp for the short literals here, inline: a libc call per line cost more than the compare.
    @inline(__always) static func equalBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var k = 0
        while k + 8 <= n {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n {
            if a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) { return false }
            k += 1
        }
        return true
    }

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
    /// Sixteen candidate positions at a time (one SSE/NEON compare per byte tested):
    /// first, second and last byte must match, then memcmp confirms.
    func contains(_ needle: StaticString, from: Int) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let n = needle.utf8CodeUnitCount, p = needle.utf8Start
        let raw = UnsafeRawPointer(base)
        let first = SIMD16<UInt8>(repeating: p[0]), second = SIMD16<UInt8>(repeating: p[1]), last = SIMD16<UInt8>(repeating: p[n - 1])
        var k = from
        while k + n - 1 + 16 <= bytes.count {
            let m = (raw.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self) .== first)
                .& (raw.loadUnaligned(fromByteOffset: k + 1, as: SIMD16<UInt8>.self) .== second)
                .& (raw.loadUnaligned(fromByteOffset: k + n - 1, as: SIMD16<UInt8>.self) .== last)
            if any(m) {
                for c in 0..<16 where m[c] && Self.equalBytes(raw + k + c, p, n) { return true }
            }
            k += 16
        }
        while k + n <= bytes.count {
            if Self.equalBytes(raw + k, p, n) { return true }
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
