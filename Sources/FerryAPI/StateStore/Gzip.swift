/// gzip (RFC 1952) through the system zlib, for connector states too large to store as
/// plain text: JSON state compresses 5–20×, and `gunzip` reads what is stored.
import CZlib

public enum Gzip {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// zlib's window bits plus 16: a gzip header and trailer instead of zlib's.
    static let gzipWindowBits: Int32 = 15 + 16

    public static func compress(_ input: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "gzip: cannot initialise zlib")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let code = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard code == Z_STREAM_END else { throw Failure(description: "gzip: compression failed (zlib \(code))") }
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// At most `limit` bytes of output, so a hostile input cannot exhaust memory.
    public static func decompress(_ input: [UInt8], limit: Int = 64 << 20) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "gzip: cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var code: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while code == Z_OK, output.count <= limit {
                code = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk.prefix(chunk.count - Int(stream.avail_out)))
                if code == Z_BUF_ERROR, stream.avail_in == 0 { break }
            }
        }
        guard output.count <= limit else { throw Failure(description: "gzip: more than \(limit) bytes when decompressed") }
        guard code == Z_STREAM_END else {
            throw Failure(description: code == Z_BUF_ERROR || code == Z_OK ? "gzip: truncated data" : "gzip: not valid gzip data (zlib \(code))")
        }
        return output
    }
}
