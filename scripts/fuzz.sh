#!/usr/bin/env bash
# Fuzzes Ferry's parsers with libFuzzer (docs/fuzzing.md).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Builds the Fuzz/ package instrumented (libFuzzer coverage + AddressSanitizer, Swift and
# C alike) into .build-fuzz/, then runs each target in turn for SECONDS_PER_TARGET
# (default 60) on a temporary copy of its seed corpus (Fuzz/Corpus/<Target>, never
# grown). Crashes, timeouts and OOMs go to .build-fuzz/artifacts/<Target>/. Prints a
# summary table; exits 1 if any target failed.
# Not part of .ci/run: the instrumented build of the dependencies takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(FuzzAirbyteLine FuzzKubeconfig FuzzManifest FuzzCron)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (known: ${all[*]})" >&2; exit 2; }
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number, got $seconds" >&2; exit 2; }

dictionary() {
    case "$1" in
        FuzzAirbyteLine) echo Fuzz/Dictionaries/airbyte.dict ;;
        FuzzKubeconfig) echo Fuzz/Dictionaries/kubeconfig.dict ;;
        FuzzManifest) echo Fuzz/Dictionaries/manifest.dict ;;
        FuzzCron) echo Fuzz/Dictionaries/cron.dict ;;
    esac
}

# The root package's pins, so the fuzz build uses the same dependency versions.
[ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved
build=.build-fuzz
# -DFERRY_FUZZING: each target starts libFuzzer itself (Fuzz/Sources/FuzzSupport says why
# -parse-as-library does not work with SwiftPM's executable targets).
# (gold warns about every ASan helper symbol; the filter keeps the output readable.)
swift build --package-path Fuzz --build-path "$build" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFERRY_FUZZING \
    -Xcc -fsanitize=fuzzer-no-link,address \
    2>&1 | { grep -v "Cannot export local symbol" || true; }
bin=$(swift build --package-path Fuzz --build-path "$build" -c release --show-bin-path)
for t in "${targets[@]}"; do
    [ -x "$bin/$t" ] || { echo "fuzz.sh: $bin/$t was not built" >&2; exit 1; }
done

# A trap then reaches libFuzzer's handler directly: Swift's backtracer reads memory in a
# way AddressSanitizer reports as a second, unrelated crash.
export SWIFT_BACKTRACE=enable=no
# No LeakSanitizer: Swift keeps class references inside enums with tag bits set, which it
# does not recognise as pointers, so static caches read as leaks (ManifestValidator.schemas'
# CEL ASTs did). Memory growth is still caught by -rss_limit_mb.
export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rows=()
failed=0
for t in "${targets[@]}"; do
    corpus="$work/$t"
    artifacts="$build/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    cp Fuzz/Corpus/"$t"/* "$corpus"/
    before=$(find "$artifacts" -type f | wc -l)
    log="$build/artifacts/$t.log"
    echo "== $t: ${seconds}s, log $log"
    started=$(date +%s)
    status=0
    # -timeout: one input running 30 s is a hang (the machine may be shared; normal inputs take
    # microseconds). -max_len: long lines are the unit tests' job (the 10 MiB line case).
    "$bin/$t" "$corpus" -dict="$(dictionary "$t")" -max_total_time="$seconds" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=30 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - started ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    rate=$(( elapsed > 0 ? execs / elapsed : execs ))
    size=$(find "$corpus" -type f | wc -l)
    crashes=$(( $(find "$artifacts" -type f | wc -l) - before ))
    if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        failed=1
        echo "   $t FAILED (exit $status); artifacts in $artifacts:"
        grep -E "^(==[0-9]+==ERROR|.*Fatal error|SUMMARY|artifact_prefix|Test unit written)" "$log" | head -10 | sed 's/^/   /'
    fi
    rows+=("$(printf '%-16s %8s %12s %9s %8s %8s' "$t" "$elapsed" "$execs" "$rate" "$size" "$crashes")")
done

echo
printf '%-16s %8s %12s %9s %8s %8s\n' target seconds execs execs/s corpus crashes
for r in "${rows[@]}"; do echo "$r"; done
exit $failed
