#!/usr/bin/env bash
# Times lacuna on the benchmark book: 2.5 M characters of Austen with 1,205 lacunae.
#   bench/run.sh [RUNS]    best wall time and peak memory of RUNS runs (default 3) per backend
# Builds the book first if needed (Debian's r-cran-janeaustenr and PyPI's rdata; root installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
book=${BOOK_DIR:-target/bench-book}
if [ ! -f "$book/book.txt" ]; then
  if [ ! -d /usr/lib/R/site-library/janeaustenr ]; then
    apt-get install -y -qq r-cran-janeaustenr >/dev/null
  fi
  python3 -c "import rdata" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check rdata
  python3 bench/gen_book.py "$book"
fi
cargo build --release -q
bin=target/release/lacuna
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Read once: `grep -q` on the pipe may close it while lacuna is still printing.
formats=$("$bin" --list-formats)
backends=$(sed -n 's/^  --\([a-z]*\).*/\1/p' <<<"$formats")
printf '%-10s %-8s %10s %12s\n' input backend "best s" "peak MB"
for input in "$book/book.txt" "$book/book.md"; do
  grep -q "\.${input##*.}" <<<"$formats" || continue
  for b in $backends; do
    best=; mem=
    for _ in $(seq "$runs"); do
      if ! /usr/bin/time -o "$out/time" -f "%e %M" "$bin" -q "$input" "--$b" -o "$out" >/dev/null 2>"$out/err"; then
        echo "lacuna --$b failed on $input:" >&2; cat "$out/err" >&2; exit 1
      fi
      read -r t m < "$out/time"
      if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; fi
    done
    printf '%-10s %-8s %10s %12.1f\n' "$(basename "$input")" "$b" "$best" "$(echo "$mem / 1024" | bc -l)"
  done
done
