/// Starting libFuzzer from a SwiftPM executable target.
///
/// SwiftPM links an executable target's top-level code as the program's `main` (it
/// compiles it as `<Target>_main` and passes `--defsym main=<Target>_main`), so
/// libFuzzer's own `main` cannot be used and `-parse-as-library` leaves `main` undefined.
/// Instead the fuzz build (`scripts/fuzz.sh`, `-DFERRY_FUZZING`) runs libFuzzer's driver
/// from the target's top-level code; the plain build never references libFuzzer.
#if FERRY_FUZZING
import CLibFuzzer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libFuzzer with the process's arguments, calling `body` (the target's
/// `LLVMFuzzerTestOneInput`) once per input; exits with libFuzzer's status.
public func runLibFuzzer(_ body: @convention(c) (UnsafeRawPointer, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    // The same C function type up to nullability: libFuzzer passes a buffer for every
    // input, an empty one too (it copies each input into `new uint8_t[size]`).
    let callback = unsafeBitCast(body, to: (@convention(c) (UnsafePointer<UInt8>?, Int) -> CInt).self)
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}
#endif

/// `precondition` that also says why in an optimized build (where `precondition` drops
/// its message), so a crash report names the broken invariant.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}
