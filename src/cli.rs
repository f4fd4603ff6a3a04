//! The command line, as clap derive types: the doc comments are the `--help` text.

use std::path::PathBuf;

use clap::Parser;

/// Convert scholarly texts — transcripts, Markdown, TEI — to PDF, EPUB, TEI and JSON.
///
/// Each output flag adds one backend; all run on every input in one go. Outputs are
/// named after the input: minutes.txt → out/minutes.json, out/minutes.tei.xml, …
#[derive(Debug, Parser)]
#[command(name = "lacuna", version, about, max_term_width = 100)]
pub struct Cli {
    /// Input files (a transcript .txt, Markdown .md, TEI .xml, or lacuna JSON)
    #[arg(required_unless_present = "list_formats")]
    pub inputs: Vec<PathBuf>,

    /// Write the IR as JSON (<stem>.json)
    #[arg(long)]
    pub json: bool,

    /// Write TEI P5 XML (<stem>.tei.xml)
    #[arg(long)]
    pub tei: bool,

    /// Write an EPUB 3 e-book with pop-up notes (<stem>.epub)
    #[arg(long)]
    pub epub: bool,

    /// Write a print-ready PDF set in the style (<stem>.pdf)
    #[arg(long)]
    pub pdf: bool,

    /// Output folder; `-` writes the single text output to standard output
    #[arg(short = 'o', long = "out-dir", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,

    /// Input format, instead of guessing from the extension and content
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,

    /// Style: a built-in name (a5-book, a4-report) or a TOML file
    #[arg(long, value_name = "STYLE", default_value = "a5-book")]
    pub style: String,

    /// Language of the input when it does not say (BCP 47, e.g. en-GB, ru)
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,

    /// Text of the editorial note on a lacuna whose note the input does not give
    #[arg(long, value_name = "TEXT", default_value = "Omitted in the minutes.")]
    pub gap_note: String,

    /// Convert only shard K of N of the inputs (inputs number i with i mod N = K − 1),
    /// so that array jobs on several machines share an archive with no coordinator
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,

    /// Inputs converted at once (default: one per processor core)
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(usize))]
    pub jobs: Option<usize>,

    /// List the input and output formats and exit
    #[arg(long)]
    pub list_formats: bool,

    /// Print no warnings
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print each output file written
    #[arg(short, long)]
    pub verbose: bool,
}

impl Cli {
    /// Returns the names of the backends the flags ask for, in registry order.
    pub fn backends(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.json {
            names.push("json");
        }
        if self.tei {
            names.push("tei");
        }
        if self.epub {
            names.push("epub");
        }
        if self.pdf {
            names.push("pdf");
        }
        names
    }
}

/// One shard of the inputs: `K/N`, with 1 ≤ K ≤ N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub k: usize,
    /// How many shards there are.
    pub n: usize,
}

impl Shard {
    /// Tells whether the input at position `i` (from 0) belongs to this shard.
    pub fn takes(self, i: usize) -> bool {
        i % self.n == self.k - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("{s:?} is not K/N (e.g. 2/8)"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| format!("{k:?} is not a number"))?;
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("{n:?} is not a number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(format!("shard {k}/{n}: K must be between 1 and N"));
        }
        Ok(Shard { k, n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_inputs() {
        let shards: Vec<Shard> = (1..=3).map(|k| format!("{k}/3").parse().unwrap()).collect();
        for i in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.takes(i)).count(), 1, "input {i}");
        }
        assert!(shards[0].takes(0) && shards[0].takes(3) && shards[2].takes(2));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
