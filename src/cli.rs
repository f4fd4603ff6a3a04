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
