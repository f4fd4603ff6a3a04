#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds (default 600), two at a time, and copies
# what a target finds (crashes, timeouts, out-of-memory inputs) to tests/data/fuzz/,
# where `cargo test --test fuzz_regressions` replays them. Reader inputs are copied as
# they are; a writer's input is saved as the JSON of the document it decodes to.
#
#   fuzz/run.sh 600            # all targets
#   fuzz/run.sh 60 read_tei    # one target
#
# cargo-fuzz needs nightly features; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks
# them. Executions and coverage of each run are appended to fuzz/runs.log.
set -euo pipefail
seconds=${1:-600}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(read_transcript read_markdown read_tei read_json write_json write_tei write_epub write_pdf)
fi
export RUSTC_BOOTSTRAP=1
cd "$here"
cargo fuzz build -O

run_one() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    # Seed the reader corpora with the project's own examples.
    case $t in
        read_transcript) cp -n "$root"/examples/*.txt "corpus/$t/" 2>/dev/null || true ;;
        read_markdown) cp -n "$root"/examples/*.md "$root"/tests/data/markdown/*.md "corpus/$t/" 2>/dev/null || true ;;
        read_tei) cp -n "$root"/tests/data/tei/*.xml "corpus/$t/" 2>/dev/null || true ;;
        read_json) cp -n "$root"/tests/data/tei/*.json "$root"/tests/data/epub/*.json "corpus/$t/" 2>/dev/null || true ;;
    esac
    local log="artifacts/$t/last-run.log"
    cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -timeout=20 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || true
    local stats
    stats=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$log" | tail -1 || true)
    echo "$(date -u +%FT%TZ) $t ${seconds}s: ${stats:-no stats (see $log)}" >>runs.log
    for f in "artifacts/$t"/crash-* "artifacts/$t"/timeout-* "artifacts/$t"/oom-*; do
        [ -e "$f" ] || continue
        mkdir -p "$root/tests/data/fuzz/$t"
        case $t in
            read_*) cp "$f" "$root/tests/data/fuzz/$t/" ;;
            write_*)
                LACUNA_FUZZ_DUMP="$root/tests/data/fuzz/$t/$(basename "$f").json" \
                    cargo fuzz run -O "$t" "$f" >/dev/null 2>&1 || true ;;
        esac
        echo "  found: $f (copied to tests/data/fuzz/$t/)" >>runs.log
    done
}

# Two at a time: the machine has two cores.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run_one "${targets[i]}" &
    if [ $((i + 1)) -lt ${#targets[@]} ]; then run_one "${targets[i + 1]}" & fi
    wait
done
tail -n "${#targets[@]}" runs.log
