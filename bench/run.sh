#!/usr/bin/env bash
# Times lacuna on the benchmark book: 2.5 M characters of Austen with 1,205 lacunae, and
# its peers on the same text in the same run: one xelatex pass over pandoc's LaTeX (A5,
# 11 pt), Typst over pandoc's Typst, pandoc → EPUB, each only if installed.
#   bench/run.sh [RUNS]    best wall time, CPU time and peak memory of RUNS runs (default 3)
# Builds the book first if needed (Debian's r-cran-janeaustenr and PyPI's rdata; root installs them).
# Peers: `apt-get install --no-install-recommends pandoc texlive-xetex lmodern
# texlive-fonts-recommended` (about 150 MB); Typst is timed when it is on the PATH.
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
printf '%-10s %-8s %10s %8s %12s\n' input backend "best s" "CPU s" "peak MB"
for input in "$book/book.txt" "$book/book.md"; do
  grep -q "\.${input##*.}" <<<"$formats" || continue
  for b in $backends; do
    best=; mem=; cpu=
    for _ in $(seq "$runs"); do
      if ! /usr/bin/time -o "$out/time" -f "%e %M %U+%S" "$bin" -q "$input" "--$b" -o "$out" >/dev/null 2>"$out/err"; then
        echo "lacuna --$b failed on $input:" >&2; cat "$out/err" >&2; exit 1
      fi
      read -r t m c < "$out/time"
      if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; cpu=$(echo "$c" | bc -l); fi
    done
    printf '%-10s %-8s %10s %8s %12.1f\n' "$(basename "$input")" "$b" "$best" "$cpu" "$(echo "$mem / 1024" | bc -l)"
  done
done
# Peers, on the Markdown version of the same book. A peer's failure is reported, not fatal.
peer() {
  local name=$1; shift
  local best= mem= cpu=
  for _ in $(seq "$runs"); do
    if ! (cd "$out" && /usr/bin/time -o "$out/time" -f "%e %M %U+%S" "$@" >/dev/null 2>"$out/err"); then
      echo "$name failed:" >&2; tail -5 "$out/err" >&2; return 0
    fi
    read -r t m c < "$out/time"
    c=$(echo "$c" | bc -l)
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; cpu=$c; fi
  done
  printf '%-10s %-8s %10s %8s %12.1f\n' book.md "$name" "$best" "$cpu" "$(echo "$mem / 1024" | bc -l)"
}
md=$(realpath "$book/book.md")
if command -v pandoc >/dev/null; then
  peer "pandoc→epub" pandoc "$md" -o book.epub
  if command -v xelatex >/dev/null; then
    pandoc "$md" -s -o "$out/book.tex" -V papersize=a5 -V fontsize=11pt -V geometry:margin=15mm
    peer "xelatex×1" xelatex -interaction=batchmode -halt-on-error book.tex
  fi
  if command -v typst >/dev/null; then
    pandoc "$md" -s -o "$out/book.typ"
    peer typst typst compile book.typ
  fi
fi
