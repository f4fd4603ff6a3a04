#!/usr/bin/env bash
# Times lacuna on a corpus against the same text as one book.
#   bench/corpus.sh [RUNS]   (default 3 runs of each, alternated; medians reported)
# Splits the benchmark book (bench/run.sh builds it) into 200 transcripts of 20–60
# paragraphs each, notes renumbered from 1 in each, and writes the same paragraphs as one
# book; then converts both to PDF + EPUB + TEI: the corpus with -j 1 and -j 2, the book
# once. Prints CPU (user + system) and wall times and the ratios the README quotes.
# Everything goes under $CORPUS_DIR (default /tmp/lacuna-corpus). Run it on a quiet
# machine, under `nice` if others share it.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
book=${BOOK_DIR:-target/bench-book}
work=${CORPUS_DIR:-/tmp/lacuna-corpus}
if [ ! -f "$book/book.txt" ]; then
  echo "no $book/book.txt: run bench/run.sh first (it builds the benchmark book)" >&2
  exit 1
fi
cargo build --release -q
bin=$PWD/target/release/lacuna
rm -rf "$work"
mkdir -p "$work/corpus" "$work/one" "$work/out"
python3 - "$book/book.txt" "$work" <<'PY'
import random, re, sys
src, work = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").read().split("\n")
# The transcript convention: a title line, a whitespace-only line, then paragraphs of
# hard-wrapped lines separated by whitespace-only lines; a line "CHAPTER n" alone is a
# heading. The closing source line (after an empty line) is left out.
paras, cur = [], []
for l in lines[2:]:
    if l == "":
        break
    if l.strip():
        cur.append(l)
    elif cur:
        paras.append(cur); cur = []
if cur:
    paras.append(cur)
rng = random.Random(13)
sizes = [rng.randint(20, 60) for _ in range(200)]
# Scale the sizes to the book's paragraphs (kept within 20–60) so the corpus holds
# (nearly) the whole text.
scale = len(paras) / sum(sizes)
sizes = [min(60, max(20, round(s * scale))) for s in sizes]
# Then one paragraph more or less in some documents until the sizes add up exactly.
k = 0
while sum(sizes) != len(paras) and k < 100_000:
    i = rng.randrange(200)
    step = 1 if sum(sizes) < len(paras) else -1
    if 20 <= sizes[i] + step <= 60:
        sizes[i] += step
    k += 1
note = re.compile(r"\.\.\.\.\{(\d+)\}")
def renumber(ps, start):
    n = [start]
    def sub(m):
        n[0] += 1
        return "....{%d}" % n[0]
    out = ["\n".join(note.sub(sub, l) for l in p) for p in ps]
    return out, n[0]
used, at, k = [], 0, 0
for k, size in enumerate(sizes, 1):
    ps = paras[at:at + size]
    at += size
    if not ps:
        break
    body, _ = renumber(ps, 0)
    used += ps
    with open(f"{work}/corpus/doc-{k:03}.txt", "w", encoding="utf-8") as f:
        f.write(f" Benchmark document {k}\u00a0 \n\u00a0 \n" + "\n\u00a0 \n".join(body) + "\n")
body, notes = renumber(used, 0)
with open(f"{work}/one/book.txt", "w", encoding="utf-8") as f:
    f.write(" Benchmark book\u00a0 \n\u00a0 \n" + "\n\u00a0 \n".join(body) + "\n")
chars = sum(len(l) for p in used for l in p)
print(f"corpus: {k} documents, {len(used)} of {len(paras)} paragraphs, {chars} characters, {notes} notes")
PY
# Prints "wall cpu maxrss_kb" for one run of lacuna with the given arguments.
measure() {
  rm -rf "$work/out" && mkdir -p "$work/out"
  /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$bin" -q --pdf --epub --tei -o "$work/out" "$@" >/dev/null
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
: > "$work/results"
for _ in $(seq "$runs"); do
  echo "book $(measure -j 1 "$work/one/book.txt")" >> "$work/results"
  echo "j1 $(measure -j 1 "$work"/corpus/*.txt)" >> "$work/results"
  echo "j2 $(measure -j 2 "$work"/corpus/*.txt)" >> "$work/results"
done
printf '%-34s %9s %9s %9s\n' "run (PDF + EPUB + TEI)" "wall s" "CPU s" "peak MB"
declare -A wall cpu
for k in book j1 j2; do
  wall[$k]=$(awk -v k=$k '$1 == k { print $2 }' "$work/results" | median)
  cpu[$k]=$(awk -v k=$k '$1 == k { print $3 }' "$work/results" | median)
  mem=$(awk -v k=$k '$1 == k { print $4 }' "$work/results" | median)
  case $k in
    book) name="same text as one book" ;;
    j1) name="200 documents, -j 1" ;;
    j2) name="200 documents, -j 2" ;;
  esac
  printf '%-34s %9s %9s %9.1f\n' "$name" "${wall[$k]}" "${cpu[$k]}" "$(echo "$mem / 1024" | bc -l)"
done
awk -v c="${cpu[j1]}" -v b="${cpu[book]}" 'BEGIN { printf "corpus CPU / book CPU: %.2f× (target ≤ 1.3×)\n", c / b }'
awk -v w1="${wall[j1]}" -v w2="${wall[j2]}" 'BEGIN { printf "-j 2 throughput / -j 1: %.2f× (target ≥ 1.85×)\n", w1 / w2 }'
