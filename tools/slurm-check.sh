#!/usr/bin/env bash
# CI: convert a generated archive as a job array on a real single-node Slurm and check it.
#
#   bash tools/slurm-check.sh      (as root: installs slurm-wlm and munge if needed)
#
# Starts Slurm (tools/slurm-local.sh), submits examples/slurm/convert.sbatch over an
# archive of 462 files in folders with `sbatch --wait --array=0-3`, then checks that the
# union of the four shards' outputs equals a single-process run byte for byte, that no
# file was converted twice and that the merged report counts every input once. Stops
# the daemons afterwards. Never skips: if Slurm cannot be installed or started, it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
begin=$SECONDS
cargo build --quiet
export PATH="$PWD/target/debug:$PATH"
work=$(mktemp -d /tmp/lacuna-slurm.XXXXXX)
stop() {
  bash tools/slurm-local.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap stop EXIT
bash tools/slurm-local.sh start

# 462 files in 3 levels of folders: transcripts, Markdown and TEI; `index.*` in every
# leaf folder, so names repeat across folders.
n=0
for y in 1917 1918 1919; do
  for m in jan feb mar apr may jun jul; do
    for d in a b; do
      dir="$work/in/$y/$m/$d"
      mkdir -p "$dir"
      for i in 0 1 2 3 4 5 6 7 8 9; do
        n=$((n + 1))
        case $((n % 3)) in
        0) printf 'Sitting %d\n\nThe member for %s rose....{1} (Applause.)\n\n{1} Omitted.\n' \
             "$n" "$y $m $d" >"$dir/doc-$i.txt" ;;
        1) printf -- '---\ntitle: Note %d\n---\n\nText %d of %s[^a].\n\n[^a]: A note.\n' \
             "$n" "$n" "$y/$m/$d" >"$dir/note-$i.md" ;;
        2) printf '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>Record %d</title></titleStmt></fileDesc></teiHeader><text><body><p>Record %d.</p></body></text></TEI>\n' \
             "$n" "$n" >"$dir/rec-$i.xml" ;;
        esac
      done
      printf 'Index of %s\n\nThe day%s.\n' "$y/$m/$d" "" >"$dir/index.txt"
      n=$((n + 1))
    done
  done
done
inputs=$(find "$work/in" -type f | wc -l)
[ "$inputs" -ge 400 ] || { echo "slurm-check: only $inputs inputs" >&2; exit 1; }

export SOURCE_DATE_EPOCH=1000000000
# Every backend; EPUBs without embedded fonts, which a debug build would spend most of
# the time subsetting (the font embedding has its own tests).
printf '[epub]\nembed_fonts = false\n' >"$work/style.toml"
export LACUNA_FORMATS="--json --tei --epub --pdf --style $work/style.toml"
sbatch --wait --array=0-3 --output="$work/task-%a.log" \
  examples/slurm/convert.sbatch "$work/in" "$work/shards" || {
  echo "slurm-check: the job array failed" >&2
  cat "$work"/task-*.log >&2 || true
  exit 1
}
# shellcheck disable=SC2086
lacuna "$work/in" $LACUNA_FORMATS -o "$work/single" -q

# The union of the shards is the single run, byte for byte (diff compares contents).
diff -r --exclude=reports "$work/single" "$work/shards"
outputs=$(find "$work/single" -type f | wc -l)
[ "$outputs" -eq $((inputs * 4)) ] || { echo "slurm-check: $outputs outputs for $inputs inputs" >&2; exit 1; }

# Every shard converted something, and the merged report counts every input once (it
# exits 1 on a failed input, an input in two reports, or a shard with no report).
for k in 0 1 2 3; do
  grep -q '"input"' "$work/shards/reports/task-$k.json" || { echo "slurm-check: task $k converted nothing" >&2; exit 1; }
done
merged=$(lacuna merge-reports "$work"/shards/reports/*.json)
echo "slurm-check: $merged"
case $merged in
"4 reports: $inputs inputs, $inputs converted, 0 failed, "*", $outputs outputs, "*) ;;
*) echo "slurm-check: the merged report does not count $inputs inputs and $outputs outputs" >&2; exit 1 ;;
esac
grep -h '^lacuna: shard' "$work"/task-*.log
echo "slurm-check: ok: $inputs inputs in 4 shards = one process, byte for byte ($((SECONDS - begin)) s)"
