//! Total-fit line breaking after Knuth & Plass, "Breaking paragraphs into lines",
//! *Software—Practice and Experience* 11 (1981) 1119–1184 (reprinted as chapter 3 of
//! *Digital Typography*), in the form TeX uses it (*TeX: The Program* §813–§890).
//!
//! A paragraph is a list of [`Item`]s: boxes (material of fixed width), glue (space
//! that can stretch and shrink) and penalties (places where a break may or may not be
//! made, at a cost). [`break_lines`] finds the sequence of breakpoints whose total
//! *demerits* is least over the whole paragraph, subject to a tolerance on each line's
//! badness. Nothing here knows about fonts or text: the widths are plain numbers, so
//! the algorithm is tested with the paper's own Monotype units.
//!
//! Where we follow TeX and where we deviate, and why:
//!
//! - Active nodes per breakpoint are kept per fitness class and, when line widths
//!   vary, per line number up to the last distinct width (§835, §848 `easy_line`);
//!   candidates worse than the best by more than the fitness demerits are dropped
//!   (§836). The active list is a plain vector, not TeX's sorted linked list: only the
//!   optimum matters, not the order.
//! - Badness is the exact `100·|r|³` of the paper, not TeX's integer approximation
//!   (§108), so the paper's adjustment ratios are reproduced to the last digit.
//! - An infinitely stretchable glue (`fil`) is a very large finite stretch; the
//!   paper's own examples use a finite one (1000 units) and the tests need that.
//! - The final pass may make overfull lines (§854, "artificial demerits"), but a
//!   pass with emergency stretch (§863) judges feasibility with the extra stretch and
//!   demerits with the real one: TeX's way picks the breaking that looks best with
//!   stretch the glue never gets, ours the one that is best as set.
//! - A limit on consecutive flagged (hyphenated) lines is a hard constraint, which
//!   TeX does not have (it only charges `\doublehyphendemerits`); nodes then also
//!   remember the length of the run they end, so the optimum is exact under the
//!   limit (the property test checks it against exhaustive search).
//! - Looseness (`\looseness`) is not implemented.

/// Penalties at or above this value forbid a break; at or below its negative they
/// force one (TeX's `inf_penalty`, §157).
pub const INFINITY: f64 = 10_000.0;

/// The badness TeX gives a line it cannot stretch enough (`inf_bad`, §108).
pub const INF_BAD: f64 = 10_000.0;

/// One element of a paragraph to be broken into lines (paper §"The box/glue/penalty
/// model").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// Material of fixed width: a word, a part of a word, an indent.
    Box {
        /// Its width.
        width: f64,
    },
    /// Space of natural `width` that may grow by `stretch` and shrink by `shrink`.
    /// A glue is a legal breakpoint when a box precedes it; a break there discards it.
    Glue {
        /// Natural width.
        width: f64,
        /// How much it may grow at an adjustment ratio of 1.
        stretch: f64,
        /// How much it may shrink at an adjustment ratio of −1 (never more).
        shrink: f64,
    },
    /// A possible breakpoint with a cost (`penalty`; ≥ [`INFINITY`] forbids, ≤
    /// −[`INFINITY`] forces) and a `width` that is typeset only if the line breaks here
    /// (a hyphen).
    Penalty {
        /// Width added at the end of the line when breaking here.
        width: f64,
        /// The aesthetic cost of breaking here.
        penalty: f64,
        /// Whether this is a hyphen break: two flagged breaks in a row cost
        /// [`Params::flagged_demerits`].
        flagged: bool,
        /// Whether this is a break found by automatic hyphenation, ignored by a pass with
        /// [`Params::hyphenate`] off (TeX's first pass, §863, runs before hyphenation).
        auto: bool,
    },
}

impl Item {
    /// Makes a box.
    pub fn boxed(width: f64) -> Item {
        Item::Box { width }
    }

    /// Makes glue.
    pub fn glue(width: f64, stretch: f64, shrink: f64) -> Item {
        Item::Glue {
            width,
            stretch,
            shrink,
        }
    }

    /// Makes a penalty that is not an automatic hyphenation point.
    pub fn penalty(width: f64, penalty: f64, flagged: bool) -> Item {
        Item::Penalty {
            width,
            penalty,
            flagged,
            auto: false,
        }
    }

    /// Makes the forced break that ends a paragraph.
    pub fn forced_break() -> Item {
        Item::penalty(0.0, -INFINITY, false)
    }

    fn is_box(&self) -> bool {
        matches!(self, Item::Box { .. })
    }
}

/// How a line's demerits are computed from its badness `b` and the penalty `p` of its
/// break.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Formula {
    /// The paper's formula (p. 1128): `(1 + b + p)²` for `p ≥ 0`, `(1 + b)² − p²` for
    /// `−∞ < p < 0`, `(1 + b)²` for a forced break.
    Paper,
    /// TeX's formula (§859): `(l + b)² + p²` for `p ≥ 0`, `(l + b)² − p²` for
    /// `−∞ < p < 0`, with `l` the `\linepenalty`. Keeping `p` out of the square
    /// makes a hyphen cost the same on a good line as on a bad one.
    Tex {
        /// TeX's `\linepenalty` (10 in plain TeX): a cost per line, which favours
        /// fewer lines.
        line_penalty: f64,
    },
}

/// The settings of one line-breaking pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// The worst badness (`100·|r|³`) a line may have (TeX's `\tolerance`, or
    /// `\pretolerance` for the first pass).
    pub tolerance: f64,
    /// How demerits are computed.
    pub formula: Formula,
    /// Extra demerits when two consecutive lines end at flagged breaks (the paper's α,
    /// TeX's `\doublehyphendemerits`).
    pub flagged_demerits: f64,
    /// Extra demerits when adjacent lines' fitness classes differ by more than one (the
    /// paper's γ, TeX's `\adjdemerits`).
    pub fitness_demerits: f64,
    /// Stretch added to every line when testing it against the tolerance (TeX's
    /// `\emergencystretch`, §863's third pass). The glue itself does not grow: the
    /// output stretches the spaces by the ratio the line really needs, and the
    /// demerits are computed from that real ratio (see [`break_lines`]).
    pub emergency_stretch: f64,
    /// Whether automatic hyphenation points ([`Item::Penalty::auto`]) may be used.
    pub hyphenate: bool,
    /// The most consecutive lines that may end at flagged breaks (hyphens); 0 for no
    /// limit. TeX has no such limit (only [`Params::flagged_demerits`]); book
    /// typography asks for one (at most two or three hyphens in a row), so a node
    /// also remembers how many flagged lines end in a row, and optimality holds among
    /// the breakings that respect the limit.
    pub max_flagged_run: usize,
    /// Whether a line that cannot be made to fit may be overfull rather than the pass
    /// failing (TeX §854: the final pass keeps the last active node alive with
    /// "artificial demerits").
    pub allow_overfull: bool,
}

impl Params {
    /// Returns the paper's settings for its examples: tolerance ρ = 1 (badness 100),
    /// α = 3000, γ = 100 (p. 1143), with hyphenation allowed.
    pub fn paper() -> Params {
        Params {
            tolerance: 100.0,
            formula: Formula::Paper,
            flagged_demerits: 3000.0,
            fitness_demerits: 100.0,
            emergency_stretch: 0.0,
            hyphenate: true,
            max_flagged_run: 0,
            allow_overfull: false,
        }
    }
}

/// The widths of a paragraph's lines: line `i` has `widths[i]`, lines past the end the
/// last width (TeX's `\parshape` with its last entry repeated).
#[derive(Debug, Clone, Copy)]
pub struct LineWidths<'a>(pub &'a [f64]);

impl LineWidths<'_> {
    /// Returns the width of line `i` (from 0); 0 if no widths were given.
    pub fn get(&self, i: usize) -> f64 {
        self.0
            .get(i)
            .or_else(|| self.0.last())
            .copied()
            .unwrap_or(0.0)
    }

    /// Returns the line number from which all lines are alike (TeX's `easy_line`,
    /// §848): nodes beyond it need not be told apart by line number.
    fn easy_line(&self) -> usize {
        self.0.len().saturating_sub(1)
    }
}

/// A paragraph broken into lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Breaking {
    /// The item index of each line's breakpoint; the last is the paragraph's end.
    pub breaks: Vec<usize>,
    /// Each line's adjustment ratio: how much of its glue's stretch (positive) or
    /// shrink (negative) it uses.
    pub ratios: Vec<f64>,
    /// The total demerits of the breaking.
    pub demerits: f64,
    /// Indices of lines that are too wide even with all glue shrunk.
    pub overfull: Vec<usize>,
}

/// Returns the index of the first item of the line that starts after a break at `b`:
/// the glue and penalties after a break are discarded up to the next box (§837,
/// §879). `None` stands for the start of the paragraph.
pub fn line_start(items: &[Item], b: Option<usize>) -> usize {
    match b {
        None => 0,
        Some(b) => {
            let mut s = b + 1;
            while s < items.len() && !items[s].is_box() {
                s += 1;
            }
            s
        }
    }
}

/// Running sums of widths, stretch and shrink before each item.
struct Sums {
    width: Vec<f64>,
    stretch: Vec<f64>,
    shrink: Vec<f64>,
}

impl Sums {
    fn new(items: &[Item]) -> Sums {
        let n = items.len() + 1;
        let (mut width, mut stretch, mut shrink) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut w, mut y, mut z) = (0.0, 0.0, 0.0);
        for item in items {
            width.push(w);
            stretch.push(y);
            shrink.push(z);
            match *item {
                Item::Box { width } => w += width,
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    w += width;
                    y += stretch;
                    z += shrink;
                }
                // A penalty's width counts only on the line that breaks at it.
                Item::Penalty { .. } => {}
            }
        }
        width.push(w);
        stretch.push(y);
        shrink.push(z);
        Sums {
            width,
            stretch,
            shrink,
        }
    }
}

/// Returns the penalty of a legal breakpoint at `b`, or `None` if no break may be made
/// there (§831: glue after a box, or a penalty below [`INFINITY`]).
fn break_penalty(items: &[Item], b: usize, hyphenate: bool) -> Option<(f64, f64, bool)> {
    match items[b] {
        Item::Glue { .. } if b > 0 && items[b - 1].is_box() => Some((0.0, 0.0, false)),
        Item::Penalty {
            width,
            penalty,
            flagged,
            auto,
        } if penalty < INFINITY && (hyphenate || !auto) => Some((width, penalty, flagged)),
        _ => None,
    }
}

/// The adjustment ratio of a line of natural `width` with `stretch` and `shrink` set
/// to `target` (paper eq. (2)); ±∞ when it cannot adjust at all.
pub fn adjustment_ratio(width: f64, stretch: f64, shrink: f64, target: f64) -> f64 {
    const EPS: f64 = 1e-9;
    if (width - target).abs() <= EPS {
        0.0
    } else if width < target {
        if stretch > EPS {
            (target - width) / stretch
        } else {
            f64::INFINITY
        }
    } else if shrink > EPS {
        (target - width) / shrink
    } else {
        f64::NEG_INFINITY
    }
}

/// Returns the badness of a line with adjustment ratio `r`: `100·|r|³`, capped at
/// [`INF_BAD`] (§108 approximates this with integers; the exact value is the
/// paper's and keeps the published ratios reproducible).
pub fn badness(r: f64) -> f64 {
    if r.is_infinite() {
        INF_BAD
    } else {
        (100.0 * r.abs().powi(3)).min(INF_BAD)
    }
}

/// Returns the fitness class of a line (paper p. 1142, TeX §817): 0 tight (r < −½),
/// 1 decent, 2 loose (r > ½), 3 very loose (r > 1).
pub fn fitness_class(r: f64) -> u8 {
    if r < -0.5 {
        0
    } else if r <= 0.5 {
        1
    } else if r <= 1.0 {
        2
    } else {
        3
    }
}

/// Returns the demerits of one line (without the flagged/fitness extras).
fn line_demerits(formula: Formula, badness: f64, penalty: f64) -> f64 {
    match formula {
        Formula::Paper => {
            if penalty >= 0.0 {
                (1.0 + badness + penalty).powi(2)
            } else if penalty > -INFINITY {
                (1.0 + badness).powi(2) - penalty * penalty
            } else {
                (1.0 + badness).powi(2)
            }
        }
        Formula::Tex { line_penalty } => {
            // §859: TeX caps l + b at 10000 so the square stays in range.
            let lb = (line_penalty + badness).min(INFINITY);
            if penalty >= 0.0 {
                lb * lb + penalty * penalty
            } else if penalty > -INFINITY {
                lb * lb - penalty * penalty
            } else {
                lb * lb
            }
        }
    }
}

/// A feasible breakpoint remembered by the algorithm (TeX's "passive node" with the
/// data of its "active node").
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Item index of the break; `None` for the paragraph's start.
    pos: Option<usize>,
    /// Number of lines up to this break.
    line: usize,
    fitness: u8,
    flagged: bool,
    /// How many lines in a row, this one included, end at flagged breaks.
    run: usize,
    demerits: f64,
    prev: Option<usize>,
    /// Whether the line ending here is overfull (an artificial break, §854).
    overfull: bool,
    ratio: f64,
}

/// Breaks `items` into lines of the given widths with least total demerits, or returns
/// `None` when no breaking keeps every line within the tolerance (and
/// `allow_overfull` is off).
///
/// The items must end with a forced break ([`Item::forced_break`]); a paragraph that
/// does not is treated as ending after its last item.
pub fn break_lines(items: &[Item], widths: LineWidths<'_>, params: &Params) -> Option<Breaking> {
    if items.is_empty() {
        return Some(Breaking {
            breaks: Vec::new(),
            ratios: Vec::new(),
            demerits: 0.0,
            overfull: Vec::new(),
        });
    }
    let sums = Sums::new(items);
    let easy_line = widths.easy_line();
    let last = items.len() - 1;
    let ends_forced = matches!(items[last], Item::Penalty { penalty, .. } if penalty <= -INFINITY);

    let mut nodes: Vec<Node> = vec![Node {
        pos: None,
        line: 0,
        fitness: 1,
        flagged: false,
        run: 0,
        demerits: 0.0,
        prev: None,
        overfull: false,
        ratio: 0.0,
    }];
    // Indices into `nodes` of the active nodes, in order of creation (TeX keeps them
    // sorted by line number, §819; for finding the optimum the order does not matter).
    let mut active: Vec<usize> = vec![0];
    // Cached start of the line after each active node.
    let mut starts: Vec<usize> = vec![0];

    for b in 0..items.len() {
        let is_end = b == last && !ends_forced;
        let Some((pen_width, penalty, flagged)) =
            break_penalty(items, b, params.hyphenate).or(if is_end {
                Some((0.0, -INFINITY, false))
            } else {
                None
            })
        else {
            continue;
        };
        let forced = penalty <= -INFINITY || is_end;

        // Best candidate per (fitness class, line class) for a break at b (§835:
        // "minimal_demerits" per fitness class; per line number too when widths vary).
        let mut best: Vec<(u8, usize, usize, f64, usize, f64, bool)> = Vec::new();
        let mut i = 0;
        while i < active.len() {
            let a = active[i];
            let node = nodes[a];
            let start = starts[i];
            if start > b {
                // No box between the previous break and this one: an empty line.
                i += 1;
                continue;
            }
            let target = widths.get(node.line);
            let width = sums.width[b] - sums.width[start] + pen_width;
            let stretch = sums.stretch[b] - sums.stretch[start];
            let shrink = sums.shrink[b] - sums.shrink[start];
            let r = adjustment_ratio(width, stretch, shrink, target);
            // Emergency stretch widens what is feasible (§863's final pass) but, unlike
            // TeX, the demerits are those of the line as it will really be set, so the
            // least-bad of the newly feasible breakings wins rather than the one that
            // looks best with stretch that will never be used.
            let r_feasible = if params.emergency_stretch > 0.0 {
                adjustment_ratio(width, stretch + params.emergency_stretch, shrink, target)
            } else {
                r
            };
            let deactivate = r < -1.0 || forced;
            let mut artificial = false;
            if r < -1.0 && params.allow_overfull && active.len() == 1 && best.is_empty() {
                // §854: the last active node would die and leave no way to the end; make
                // an overfull line rather than fail.
                artificial = true;
            }
            let bad = badness(r);
            let run = if flagged { node.run + 1 } else { 0 };
            let run_ok = params.max_flagged_run == 0 || run <= params.max_flagged_run;
            let feasible = r >= -1.0 && badness(r_feasible) <= params.tolerance + 1e-9;
            if (feasible || artificial) && run_ok {
                let mut d = if artificial {
                    0.0
                } else {
                    line_demerits(params.formula, bad, penalty)
                };
                if flagged && node.flagged {
                    d += params.flagged_demerits;
                }
                let fit = if artificial { 1 } else { fitness_class(r) };
                if fit.abs_diff(node.fitness) > 1 {
                    d += params.fitness_demerits;
                }
                let total = node.demerits + d;
                let line_class = (node.line + 1).min(easy_line + 1);
                // Runs of flagged lines only matter when limited.
                let run_class = if params.max_flagged_run == 0 { 0 } else { run };
                match best
                    .iter_mut()
                    .find(|c| c.0 == fit && c.1 == line_class && c.2 == run_class)
                {
                    Some(c) if c.3 <= total => {}
                    Some(c) => *c = (fit, line_class, run_class, total, a, r, artificial),
                    None => best.push((fit, line_class, run_class, total, a, r, artificial)),
                }
            }
            if deactivate {
                active.remove(i);
                starts.remove(i);
            } else {
                i += 1;
            }
        }
        if !best.is_empty() {
            // §836: a candidate worse than the best by more than the fitness demerits
            // can never win, whatever follows.
            // With a limit on flagged runs, a candidate is only dominated by one whose
            // run is no longer (it can go everywhere the other can).
            let dominated = |run: usize, total: f64| {
                best.iter()
                    .any(|c| c.2 <= run && c.3 + params.fitness_demerits < total)
            };
            let keep: Vec<_> = best
                .iter()
                .copied()
                .filter(|c| !dominated(c.2, c.3))
                .collect();
            let start = line_start(items, Some(b));
            for (fit, _, run, total, a, r, artificial) in keep {
                nodes.push(Node {
                    pos: Some(b),
                    line: nodes[a].line + 1,
                    fitness: fit,
                    flagged,
                    run,
                    demerits: total,
                    prev: Some(a),
                    overfull: artificial || r < -1.0,
                    ratio: r,
                });
                active.push(nodes.len() - 1);
                starts.push(start);
            }
        }
        if active.is_empty() {
            return None;
        }
    }

    // §873: the best of the nodes at the paragraph's end.
    let end = active
        .iter()
        .copied()
        .filter(|&a| nodes[a].pos == Some(last))
        .min_by(|&x, &y| nodes[x].demerits.total_cmp(&nodes[y].demerits))?;
    let mut breaks = Vec::new();
    let mut ratios = Vec::new();
    let mut overfull_flags = Vec::new();
    let mut cur = Some(end);
    while let Some(n) = cur {
        let node = nodes[n];
        if let Some(pos) = node.pos {
            breaks.push(pos);
            ratios.push(node.ratio);
            overfull_flags.push(node.overfull);
        }
        cur = node.prev;
    }
    breaks.reverse();
    ratios.reverse();
    overfull_flags.reverse();
    let overfull = overfull_flags
        .iter()
        .enumerate()
        .filter(|(_, o)| **o)
        .map(|(i, _)| i)
        .collect();
    Some(Breaking {
        breaks,
        ratios,
        demerits: nodes[end].demerits,
        overfull,
    })
}

/// Returns each line's adjustment ratio for the given breakpoints (for display and for
/// tests).
pub fn ratios_of(items: &[Item], widths: LineWidths<'_>, breaks: &[usize]) -> Vec<f64> {
    let sums = Sums::new(items);
    let mut prev = None;
    let mut out = Vec::with_capacity(breaks.len());
    for (line, &b) in breaks.iter().enumerate() {
        let start = line_start(items, prev);
        let pen_width = match items[b] {
            Item::Penalty { width, .. } => width,
            _ => 0.0,
        };
        let start = start.min(b);
        let width = sums.width[b] - sums.width[start] + pen_width;
        let stretch = sums.stretch[b] - sums.stretch[start];
        let shrink = sums.shrink[b] - sums.shrink[start];
        out.push(adjustment_ratio(width, stretch, shrink, widths.get(line)));
        prev = Some(b);
    }
    out
}

/// Returns the total demerits of a given breaking under `params`, or `None` if one of
/// its lines is infeasible (too tight, or worse than the tolerance). Used to check
/// [`break_lines`] against exhaustive search.
pub fn demerits_of(
    items: &[Item],
    widths: LineWidths<'_>,
    params: &Params,
    breaks: &[usize],
) -> Option<f64> {
    let ratios = ratios_of(items, widths, breaks);
    let mut total = 0.0;
    let (mut prev_fit, mut prev_flagged, mut run) = (1u8, false, 0usize);
    let mut prev = None;
    for (&b, &r) in breaks.iter().zip(&ratios) {
        let (_, penalty, flagged) =
            break_penalty(items, b, params.hyphenate).or(if b == items.len() - 1 {
                Some((0.0, -INFINITY, false))
            } else {
                None
            })?;
        if line_start(items, prev) > b {
            return None;
        }
        let bad = badness(r);
        if r < -1.0 || bad > params.tolerance + 1e-9 {
            return None;
        }
        run = if flagged { run + 1 } else { 0 };
        if params.max_flagged_run > 0 && run > params.max_flagged_run {
            return None;
        }
        let mut d = line_demerits(params.formula, bad, penalty);
        if flagged && prev_flagged {
            d += params.flagged_demerits;
        }
        let fit = fitness_class(r);
        if fit.abs_diff(prev_fit) > 1 {
            d += params.fitness_demerits;
        }
        total += d;
        prev_fit = fit;
        prev_flagged = flagged;
        prev = Some(b);
    }
    Some(total)
}

/// Breaks greedily: each line takes as many items as fit at the glue's full shrink
/// (the "first-fit" method the paper compares against). Returns the breakpoints;
/// used as a baseline for quality figures.
pub fn first_fit(items: &[Item], widths: LineWidths<'_>) -> Vec<usize> {
    let sums = Sums::new(items);
    let mut breaks = Vec::new();
    let mut start = 0;
    let mut candidate: Option<usize> = None;
    let mut b = 0;
    while b < items.len() {
        let is_last = b == items.len() - 1;
        if break_penalty(items, b, true).is_none() && !is_last {
            b += 1;
            continue;
        }
        let pen_width = match items[b] {
            Item::Penalty { width, .. } => width,
            _ => 0.0,
        };
        let width = sums.width[b] - sums.width[start] + pen_width;
        let shrink = sums.shrink[b] - sums.shrink[start];
        let fits = width - shrink <= widths.get(breaks.len()) + 1e-9;
        let forced = matches!(items[b], Item::Penalty { penalty, .. } if penalty <= -INFINITY);
        if !fits {
            if let Some(c) = candidate.take() {
                breaks.push(c);
                start = line_start(items, Some(c));
                b = start;
                continue;
            }
            // A single item wider than the line: break after it anyway.
            breaks.push(b);
            start = line_start(items, Some(b));
            b = start;
            continue;
        }
        if forced || is_last {
            breaks.push(b);
            start = line_start(items, Some(b));
            candidate = None;
            b = start.max(b + 1);
            continue;
        }
        candidate = Some(b);
        b += 1;
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds items from text in a monospace metric: every character 1 unit, spaces
    /// glue of width 1 stretching ½ and shrinking ⅓ (the defaults of the engine).
    fn mono(text: &str) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                items.push(Item::glue(1.0, 0.5, 1.0 / 3.0));
            }
            items.push(Item::boxed(word.chars().count() as f64));
        }
        items.push(Item::penalty(0.0, INFINITY, false));
        items.push(Item::glue(0.0, 1e6, 0.0));
        items.push(Item::forced_break());
        items
    }

    fn tex() -> Params {
        Params {
            tolerance: 200.0,
            formula: Formula::Tex { line_penalty: 10.0 },
            flagged_demerits: 10_000.0,
            fitness_demerits: 10_000.0,
            emergency_stretch: 0.0,
            hyphenate: true,
            max_flagged_run: 0,
            allow_overfull: false,
        }
    }

    /// Returns the text of each line, the words separated by single spaces.
    fn lines_of(text: &str, items: &[Item], breaks: &[usize]) -> Vec<String> {
        // Item 2k is word k; glue 2k+1 follows it.
        let words: Vec<&str> = text.split(' ').collect();
        let mut out = Vec::new();
        let mut first = 0;
        for &b in breaks {
            let end = if b >= 2 * words.len() - 1 {
                words.len()
            } else {
                b.div_ceil(2)
            };
            let _ = items;
            out.push(words[first..end].join(" "));
            first = end;
        }
        out
    }

    #[test]
    fn hand_worked_paragraph_breaks_where_expected() {
        // Width 10, space 1 (stretch ½, shrink ⅓). Worked out by hand:
        // "aaa bb cccc dd eee f": first fit puts "aaa bb" (6, can't take "cccc": 11 >
        // 10 even shrunk by ⅔) then "cccc dd" (7), then "eee f" (5, last line).
        // Total fit finds the same: "aaa bb" needs r = 4/0.5 = 8 → infeasible at
        // tolerance 200? badness 100·8³ ≫ 200, so it must look for something better:
        // "aaa bb cccc" is 11 wide with shrink ⅔ → r = −1.5, overfull. So no feasible
        // breaking at tolerance 200 exists and the pass fails.
        let text = "aaa bb cccc dd eee f";
        let items = mono(text);
        assert!(break_lines(&items, LineWidths(&[10.0]), &tex()).is_none());

        // At width 11 "aaa bb cccc" fits exactly (r = 0), "dd eee f" is the last line.
        let br = break_lines(&items, LineWidths(&[11.0]), &tex()).unwrap();
        assert_eq!(
            lines_of(text, &items, &br.breaks),
            ["aaa bb cccc", "dd eee f"]
        );
        assert!(br.ratios[0].abs() < 1e-12);

        // Width 7: "aaa bb" has 1 unit to fill with stretch ½ → r = 2, badness 800
        // (too loose at 200); "aaa bb cccc" is overfull. With tolerance 1000 the only
        // breaking is aaa bb | cccc dd | eee f (r = 2, 0, last).
        let mut loose = tex();
        loose.tolerance = 1000.0;
        let br = break_lines(&items, LineWidths(&[7.0]), &loose).unwrap();
        assert_eq!(
            lines_of(text, &items, &br.breaks),
            ["aaa bb", "cccc dd", "eee f"]
        );
        assert!((br.ratios[0] - 2.0).abs() < 1e-12);
        assert!(br.ratios[1].abs() < 1e-12);
    }

    #[test]
    fn total_fit_beats_first_fit_on_a_classic_case() {
        // Width 8, tolerance ∞ so that every breaking is feasible.
        // First fit: "aaa bb c" is exactly 8 (r = 0), which leaves "dddd" alone on a
        // line with no glue (badness 10000), then "eeeeeeee".
        // TeX demerits (l = 10): 10² + 10000² (§859 caps l + b at 10000) + 10000 (very
        //   loose after decent) + 10² + 10000 (decent after very loose) = 100 020 200.
        // Total fit moves "c" down: "aaa bb" (6, r = 2/½ = 4, b = 6400) and
        // "c dddd" (6, r = 4): 2·6410² + 10000 (first line very loose) + 10² + 10000
        //   = 82 196 300, which is less.
        let text = "aaa bb c dddd eeeeeeee";
        let items = mono(text);
        let widths = [8.0];
        let mut p = tex();
        p.tolerance = INF_BAD;
        let ff = first_fit(&items, LineWidths(&widths));
        assert_eq!(
            lines_of(text, &items, &ff),
            ["aaa bb c", "dddd", "eeeeeeee"]
        );
        let kp = break_lines(&items, LineWidths(&widths), &p).unwrap();
        assert_eq!(
            lines_of(text, &items, &kp.breaks),
            ["aaa bb", "c dddd", "eeeeeeee"]
        );
        let ff_d = demerits_of(&items, LineWidths(&widths), &p, &ff).unwrap();
        assert!((ff_d - 100_020_200.0).abs() < 1e-3, "{ff_d}");
        assert!((kp.demerits - 82_196_300.0).abs() < 1e-3, "{}", kp.demerits);
    }

    #[test]
    fn varying_line_widths_are_respected() {
        // An indent: first line 8, the rest 12.
        let text = "aa bb cc dd ee ff gg hh ii";
        let items = mono(text);
        let br = break_lines(&items, LineWidths(&[8.0, 12.0]), &tex()).unwrap();
        // Line 1 (width 8): "aa bb cc" is 8 exactly; "aa bb" would need r = 6 and
        // "aa bb cc dd" r = −3, so it is the only choice. Line 2 (width 12):
        // "dd ee ff gg" is 11, r = 1/1.5, badness 30; "dd ee ff" needs r = 4 (badness
        // 6400 > 200) and "dd ee ff gg hh" r = −1.5. The rest is the last line.
        let lines = lines_of(text, &items, &br.breaks);
        assert_eq!(lines, ["aa bb cc", "dd ee ff gg", "hh ii"]);
    }

    #[test]
    fn overfull_is_allowed_only_when_asked_and_reported() {
        let text = "a bbbbbbbbbbbbbbbbbbbb c";
        let items = mono(text);
        let mut p = tex();
        assert!(break_lines(&items, LineWidths(&[10.0]), &p).is_none());
        p.allow_overfull = true;
        p.tolerance = INF_BAD;
        let br = break_lines(&items, LineWidths(&[10.0]), &p).unwrap();
        assert_eq!(br.overfull.len(), 1);
        let lines = lines_of(text, &items, &br.breaks);
        assert!(
            lines.contains(&"bbbbbbbbbbbbbbbbbbbb".to_owned()),
            "{lines:?}"
        );
    }

    #[test]
    fn double_hyphen_demerits_avoid_stacked_hyphens() {
        // Boxes with a flagged penalty between halves, as hyphenation makes them.
        fn word(items: &mut Vec<Item>, a: f64, b: f64) {
            items.push(Item::boxed(a));
            items.push(Item::Penalty {
                width: 1.0,
                penalty: 50.0,
                flagged: true,
                auto: true,
            });
            items.push(Item::boxed(b));
        }
        let mut items = Vec::new();
        for i in 0..8 {
            if i > 0 {
                items.push(Item::glue(1.0, 0.5, 1.0 / 3.0));
            }
            word(&mut items, 3.0, 3.0);
        }
        items.push(Item::glue(0.0, 1e6, 0.0));
        items.push(Item::forced_break());
        let mut p = tex();
        p.tolerance = INF_BAD;
        let widths = [17.0];
        let count_runs = |br: &Breaking| {
            let flagged: Vec<bool> = br
                .breaks
                .iter()
                .map(|&b| matches!(items[b], Item::Penalty { flagged: true, .. }))
                .collect();
            flagged.windows(2).filter(|w| w[0] && w[1]).count()
        };
        p.flagged_demerits = 0.0;
        let without = break_lines(&items, LineWidths(&widths), &p).unwrap();
        // More than any line's own demerits (≤ 10⁸ with badness capped): no two
        // hyphens in a row can be worth it.
        p.flagged_demerits = 1e9;
        let with = break_lines(&items, LineWidths(&widths), &p).unwrap();
        assert!(count_runs(&with) <= count_runs(&without));
        assert!(count_runs(&with) == 0, "{:?}", with.breaks);
    }

    #[test]
    fn pass_without_hyphenation_ignores_auto_penalties() {
        let items = vec![
            Item::boxed(5.0),
            Item::Penalty {
                width: 1.0,
                penalty: 50.0,
                flagged: true,
                auto: true,
            },
            Item::boxed(5.0),
            Item::penalty(0.0, INFINITY, false),
            Item::glue(0.0, 1e6, 0.0),
            Item::forced_break(),
        ];
        let mut p = tex();
        p.hyphenate = false;
        p.allow_overfull = true;
        let br = break_lines(&items, LineWidths(&[6.0]), &p).unwrap();
        assert_eq!(br.breaks, vec![5]);
        p.hyphenate = true;
        let br = break_lines(&items, LineWidths(&[6.0]), &p).unwrap();
        assert_eq!(br.breaks, vec![1, 5]);
    }

    #[test]
    fn empty_and_degenerate_inputs() {
        let p = tex();
        assert_eq!(
            break_lines(&[], LineWidths(&[10.0]), &p)
                .unwrap()
                .breaks
                .len(),
            0
        );
        let only = [Item::glue(0.0, 1e6, 0.0), Item::forced_break()];
        // No box: the single "line" is the forced break itself.
        let br = break_lines(&only, LineWidths(&[10.0]), &p).unwrap();
        assert_eq!(br.breaks, vec![1]);
        let _ = break_lines(&only, LineWidths(&[]), &p);
    }

    mod frog_king {
        //! The paper's example paragraph (Knuth & Plass 1981, Digital Typography ch. 3,
        //! pp. 75–95): Monotype widths in machine units (18 to the em), interword glue
        //! by the preceding punctuation, hyphenation points as in the paper, and the
        //! line breaks and adjustment ratios it prints. The same figures are asserted
        //! by the MIT-licensed tex-linebreak test suite (robertknight/tex-linebreak,
        //! test/layout-test.ts), which we checked them against.
        use super::super::*;

        pub(super) const TEXT: &str = "In olden times when wish\u{ad}ing still helped one, there lived a king whose daugh\u{ad}ters were all beau\u{ad}ti\u{ad}ful; and the young\u{ad}est was so beau\u{ad}ti\u{ad}ful that the sun it\u{ad}self, which has seen so much, was aston\u{ad}ished when\u{ad}ever it shone in her face. Close by the king\u{2019}s castle lay a great dark for\u{ad}est, and un\u{ad}der an old lime-tree in the for\u{ad}est was a well, and when the day was very warm, the king\u{2019}s child went out into the for\u{ad}est and sat down by the side of the cool foun\u{ad}tain; and when she was bored she took a golden ball, and threw it up on high and caught it; and this ball was her favor\u{ad}ite play\u{ad}thing.";

        /// Monotype unit widths, p. 75.
        fn unit(c: char) -> f64 {
            match c {
                'i' | 'l' | ',' | '.' | ';' | '\u{2019}' => 5.0,
                'f' | 'j' | 'I' | '-' | '\u{ad}' => 6.0,
                'r' | 's' | 't' => 7.0,
                'c' | 'e' | 'z' => 8.0,
                'a' | 'g' | 'o' | 'v' => 9.0,
                'b' | 'd' | 'h' | 'k' | 'n' | 'p' | 'q' | 'u' | 'x' | 'y' => 10.0,
                'w' | 'C' => 13.0,
                'm' => 15.0,
                _ => panic!("no width for {c:?}"),
            }
        }

        /// Returns the items and, for each item, the text it contributes to a line.
        pub(super) fn justified() -> (Vec<Item>, Vec<String>) {
            let mut items = Vec::new();
            let mut texts = Vec::new();
            let mut word = String::new();
            let mut last = ' ';
            let flush = |word: &mut String, items: &mut Vec<Item>, texts: &mut Vec<String>| {
                if !word.is_empty() {
                    items.push(Item::boxed(word.chars().map(unit).sum()));
                    texts.push(std::mem::take(word));
                }
            };
            for c in TEXT.chars() {
                match c {
                    ' ' => {
                        flush(&mut word, &mut items, &mut texts);
                        // p. 75: the space after a comma, semicolon or period is wider
                        // and more elastic.
                        let (w, y, z) = match last {
                            ',' => (6.0, 4.0, 2.0),
                            ';' => (6.0, 4.0, 1.0),
                            '.' => (8.0, 6.0, 1.0),
                            _ => (6.0, 3.0, 2.0),
                        };
                        items.push(Item::glue(w, y, z));
                        texts.push(" ".into());
                    }
                    '-' => {
                        flush(&mut word, &mut items, &mut texts);
                        items.push(Item::boxed(unit('-')));
                        texts.push("-".into());
                        items.push(Item::penalty(0.0, 50.0, true));
                        texts.push(String::new());
                    }
                    '\u{ad}' => {
                        flush(&mut word, &mut items, &mut texts);
                        items.push(Item::penalty(unit('-'), 50.0, true));
                        texts.push("-".into());
                    }
                    c => word.push(c),
                }
                last = c;
            }
            flush(&mut word, &mut items, &mut texts);
            // The paragraph's end (p. 77): no break before the finishing glue.
            items.push(Item::penalty(0.0, INFINITY, false));
            texts.push(String::new());
            items.push(Item::glue(0.0, 1000.0, 0.0));
            texts.push(String::new());
            items.push(Item::forced_break());
            texts.push(String::new());
            (items, texts)
        }

        /// Returns the lines' text: a penalty's text ("-") shows only at a line's end.
        pub(super) fn lines(items: &[Item], texts: &[String], breaks: &[usize]) -> Vec<String> {
            let mut out = Vec::new();
            let mut prev = None;
            for &b in breaks {
                let start = line_start(items, prev);
                let mut s = String::new();
                for i in start..b {
                    match items[i] {
                        Item::Penalty { .. } => {}
                        _ => s.push_str(&texts[i]),
                    }
                }
                if matches!(items[b], Item::Penalty { width, .. } if width > 0.0) {
                    s.push_str(&texts[b]);
                }
                out.push(s.split_whitespace().collect::<Vec<_>>().join(" "));
                prev = Some(b);
            }
            out
        }

        fn check(widths: &[f64], expect_lines: &[&str], expect_ratios: &[f64]) {
            let (items, texts) = justified();
            let br = break_lines(&items, LineWidths(widths), &Params::paper())
                .expect("the paper's paragraph has a feasible breaking");
            assert_eq!(lines(&items, &texts, &br.breaks), expect_lines);
            let rounded: Vec<f64> = br
                .ratios
                .iter()
                .map(|r| (r * 1000.0).round() / 1000.0)
                .collect();
            assert_eq!(rounded, expect_ratios);
            assert_eq!(
                ratios_of(&items, LineWidths(widths), &br.breaks),
                br.ratios,
                "ratios recomputed from the breaks agree"
            );
        }

        #[test]
        fn narrow_measure_matches_the_paper() {
            // p. 78: 390 units, the first line indented by an em (18 units).
            check(
                &[372.0, 390.0],
                &[
                    "In olden times when wishing still helped one,",
                    "there lived a king whose daughters were all beau-",
                    "tiful; and the youngest was so beautiful that the",
                    "sun itself, which has seen so much, was aston-",
                    "ished whenever it shone in her face. Close by the",
                    "king\u{2019}s castle lay a great dark forest, and under an",
                    "old lime-tree in the forest was a well, and when",
                    "the day was very warm, the king\u{2019}s child went out",
                    "into the forest and sat down by the side of the",
                    "cool fountain; and when she was bored she took a",
                    "golden ball, and threw it up on high and caught",
                    "it; and this ball was her favorite plaything.",
                ],
                &[
                    0.857, 0.0, 0.28, 1.0, 0.067, -0.278, 0.536, -0.167, 0.7, -0.176, 0.357, 0.049,
                ],
            );
        }

        #[test]
        fn wide_measure_matches_the_paper() {
            // p. 81: 500 units, first line indented by an em.
            check(
                &[482.0, 500.0],
                &[
                    "In olden times when wishing still helped one, there lived a",
                    "king whose daughters were all beautiful; and the youngest was",
                    "so beautiful that the sun itself, which has seen so much, was",
                    "astonished whenever it shone in her face. Close by the king\u{2019}s",
                    "castle lay a great dark forest, and under an old lime-tree in the",
                    "forest was a well, and when the day was very warm, the king\u{2019}s",
                    "child went out into the forest and sat down by the side of the",
                    "cool fountain; and when she was bored she took a golden ball,",
                    "and threw it up on high and caught it; and this ball was her",
                    "favorite plaything.",
                ],
                &[
                    0.774, 0.179, 0.629, 0.545, 0.0, 0.079, 0.282, 0.294, 0.575, 0.353,
                ],
            );
        }

        #[test]
        fn ragged_centred_matches_the_paper() {
            // pp. 94–95: each interword space becomes
            //   glue(0, 3a) penalty(0) glue(w, −6a) box(0) penalty(∞) glue(0, 3a)
            // (a stretch that centres the line whatever breaks are chosen; `a` scales
            // with the space's own stretch), no hyphenation. The paper does not give the
            // measure. 32 ems (576 units) reproduces its lines, as does every width
            // from 576 to 579 at ρ = 1 (and up to 593 at larger tolerances);
            // tex-linebreak's estimate of 594 units moves "the" from line 6 to line 7
            // here, so we do not use it.
            let text = TEXT.replace('\u{ad}', "");
            let mut items = vec![Item::glue(0.0, 18.0, 0.0)];
            let mut texts = vec![String::new()];
            let mut last = ' ';
            let mut word = String::new();
            let flush = |word: &mut String, items: &mut Vec<Item>, texts: &mut Vec<String>| {
                if !word.is_empty() {
                    items.push(Item::boxed(word.chars().map(unit).sum()));
                    texts.push(std::mem::take(word));
                }
            };
            for c in text.chars() {
                match c {
                    ' ' => {
                        flush(&mut word, &mut items, &mut texts);
                        let (w, y) = match last {
                            ',' | ';' => (6.0, 4.0),
                            '.' => (8.0, 6.0),
                            _ => (6.0, 3.0),
                        };
                        let s = 6.0 * y;
                        for (item, t) in [
                            (Item::glue(0.0, s, 0.0), ""),
                            (Item::penalty(0.0, 0.0, false), ""),
                            (Item::glue(w, -2.0 * s, 0.0), " "),
                            (Item::boxed(0.0), ""),
                            (Item::penalty(0.0, INFINITY, false), ""),
                            (Item::glue(0.0, s, 0.0), ""),
                        ] {
                            items.push(item);
                            texts.push(t.into());
                        }
                    }
                    '-' => {
                        flush(&mut word, &mut items, &mut texts);
                        items.push(Item::boxed(unit('-')));
                        texts.push("-".into());
                        items.push(Item::penalty(0.0, 50.0, true));
                        texts.push(String::new());
                    }
                    c => word.push(c),
                }
                last = c;
            }
            flush(&mut word, &mut items, &mut texts);
            items.push(Item::glue(0.0, 18.0, 0.0));
            texts.push(String::new());
            items.push(Item::forced_break());
            texts.push(String::new());
            let br = break_lines(&items, LineWidths(&[576.0]), &Params::paper()).unwrap();
            assert_eq!(
                lines(&items, &texts, &br.breaks),
                [
                    "In olden times when wishing still helped one, there lived a king whose",
                    "daughters were all beautiful; and the youngest was so beautiful that the",
                    "sun itself, which has seen so much, was astonished whenever it shone in",
                    "her face. Close by the king\u{2019}s castle lay a great dark forest, and under an",
                    "old lime-tree in the forest was a well, and when the day was very warm,",
                    "the king\u{2019}s child went out into the forest and sat down by the side of the",
                    "cool fountain; and when she was bored she took a golden ball, and threw",
                    "it up on high and caught it; and this ball was her favorite plaything.",
                ]
            );
        }
    }

    mod brute_force {
        use super::super::*;
        use proptest::prelude::*;

        /// All legal breakpoints of the items, the final one last.
        fn legal(items: &[Item], p: &Params) -> Vec<usize> {
            (0..items.len())
                .filter(|&b| break_penalty(items, b, p.hyphenate).is_some())
                .collect()
        }

        fn paragraph(words: &[(u8, bool)]) -> Vec<Item> {
            let mut items = Vec::new();
            for (i, &(len, hyph)) in words.iter().enumerate() {
                if i > 0 {
                    items.push(Item::glue(3.0, 1.5, 1.0));
                }
                let len = len as f64;
                if hyph && len >= 4.0 {
                    let a = (len / 2.0).floor();
                    items.push(Item::boxed(a));
                    items.push(Item::Penalty {
                        width: 1.0,
                        penalty: 50.0,
                        flagged: true,
                        auto: true,
                    });
                    items.push(Item::boxed(len - a));
                } else {
                    items.push(Item::boxed(len));
                }
            }
            items.push(Item::penalty(0.0, INFINITY, false));
            items.push(Item::glue(0.0, 1000.0, 0.0));
            items.push(Item::forced_break());
            items
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn total_fit_is_optimal(
                words in proptest::collection::vec((1u8..12, any::<bool>()), 1..14),
                width in 12.0f64..40.0,
                indent in 0.0f64..6.0,
                paper in any::<bool>(),
                limit in 0usize..3,
            ) {
                let items = paragraph(&words);
                let mut p = if paper { Params::paper() } else {
                    Params {
                        tolerance: 1000.0,
                        formula: Formula::Tex { line_penalty: 10.0 },
                        flagged_demerits: 10_000.0,
                        fitness_demerits: 10_000.0,
                        emergency_stretch: 0.0,
                        hyphenate: true,
                        max_flagged_run: limit,
                        allow_overfull: false,
                    }
                };
                p.tolerance = p.tolerance.max(400.0);
                let widths = [width - indent, width];
                let found = break_lines(&items, LineWidths(&widths), &p);
                // Enumerate every subset of the legal breakpoints (the last always in).
                let legal = legal(&items, &p);
                let (end, inner) = legal.split_last().unwrap();
                prop_assume!(inner.len() <= 18);
                let mut best: Option<f64> = None;
                for mask in 0u32..(1 << inner.len()) {
                    let mut breaks: Vec<usize> = inner
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, &b)| b)
                        .collect();
                    breaks.push(*end);
                    if let Some(d) = demerits_of(&items, LineWidths(&widths), &p, &breaks) {
                        best = Some(best.map_or(d, |b: f64| b.min(d)));
                    }
                }
                match (found, best) {
                    (None, None) => {}
                    (Some(f), Some(b)) => {
                        let own = demerits_of(&items, LineWidths(&widths), &p, &f.breaks);
                        prop_assert!(own.is_some(), "total fit's breaking is feasible");
                        prop_assert!((own.unwrap() - f.demerits).abs() < 1e-6 * f.demerits.max(1.0));
                        prop_assert!(f.demerits <= b + 1e-6 * b.max(1.0),
                            "total fit {} > brute force {}", f.demerits, b);
                    }
                    (f, b) => prop_assert!(false, "found {:?}, brute force {:?}", f, b),
                }
            }
        }
    }
}
