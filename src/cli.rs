//! The command line, as clap derive types: the doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use lacuna::corpus::shard::Shard;

/// What `--help` says after the flags. (One help text for `-h` and `--help`, so that the
/// README's usage block can be this text exactly; a test keeps them equal.)
const AFTER_HELP: &str = "\
Each output flag adds one backend; all run on every input in one go. Outputs are named
after the input: minutes.txt → out/minutes.json, out/minutes.tei.xml, … A folder is
converted whole, its tree mirrored under the output folder: corpus/1917/apr/minutes.txt →
out/1917/apr/minutes.pdf. Exit status: 0 done, 1 an input failed, 2 a usage mistake.";

/// Convert scholarly texts — transcripts, Markdown, TEI — to PDF, EPUB, TEI and JSON.
#[derive(Debug, Parser)]
#[command(
    name = "lacuna",
    version,
    long_about = None,
    after_help = AFTER_HELP,
    term_width = 90,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// Other tasks
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Input files and folders (transcript .txt, Markdown .md, TEI .xml/.tei, lacuna
    /// JSON); folders are walked recursively; `-` reads standard input (needs --from)
    #[arg(required_unless_present_any = [
        "list_formats", "list_styles", "print_style", "completions", "man"
    ])]
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

    /// Input format, instead of guessing from the extension and content; in folders,
    /// every file (not hidden) is then taken, whatever its extension
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,

    /// Name of the outputs of standard input (`-`): NAME.json, NAME.pdf, …
    #[arg(long, value_name = "NAME", default_value = "stdin")]
    pub stem: String,

    /// Write a JSON report of the run: per input its outputs, warnings (with line and
    /// column), error and seconds spent, and the totals
    #[arg(long, value_name = "FILE.json")]
    pub report: Option<PathBuf>,

    /// Style: a built-in name (a5-book, a4-report) or a TOML file
    #[arg(long, value_name = "STYLE", default_value = "a5-book")]
    pub style: String,

    /// Language of the input when it does not say (BCP 47, e.g. en-GB, ru)
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,

    /// Text of the editorial note on a lacuna whose note the input does not give
    #[arg(long, value_name = "TEXT", default_value = "Omitted in the minutes.")]
    pub gap_note: String,

    /// Convert only shard K of N of the inputs, split by a stable hash of each input's
    /// path relative to its folder, so that array jobs on several machines share an
    /// archive with no coordinator. Without it, Slurm's SLURM_ARRAY_TASK_ID and
    /// SLURM_ARRAY_TASK_COUNT (or _MIN/_MAX) choose the shard
    #[arg(long, value_name = "K/N", conflicts_with = "shard_count")]
    pub shard: Option<Shard>,

    /// Number of shards of a Kubernetes Indexed Job: this task's shard is
    /// JOB_COMPLETION_INDEX + 1
    #[arg(long, value_name = "N")]
    pub shard_count: Option<usize>,

    /// Inputs converted at once (default: one per processor core)
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(usize))]
    pub jobs: Option<usize>,

    /// After writing, check every output with the validators that are installed (jing
    /// with tei_all, EPUBCheck, qpdf; JSON is read back); exit status 1 if a check fails
    #[arg(long)]
    pub check: bool,

    /// List the input and output formats and exit
    #[arg(long)]
    pub list_formats: bool,

    /// List the built-in styles and exit
    #[arg(long)]
    pub list_styles: bool,

    /// Print a built-in style as commented TOML (a file to start your own from) and exit
    #[arg(long, value_name = "NAME")]
    pub print_style: Option<String>,

    /// Print a completion script for SHELL (bash, zsh, fish, powershell, elvish) and exit
    #[arg(long, value_name = "SHELL")]
    pub completions: Option<clap_complete::Shell>,

    /// Print the manual page (roff, for man -l) and exit
    #[arg(long)]
    pub man: bool,

    /// Print no warnings and no progress bar
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also print each output file written
    #[arg(short, long)]
    pub verbose: bool,
}

/// Tasks other than converting.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Merge the reports of the shards of an array job: print the totals and every
    /// failed input; exit status 1 if an input failed, was converted twice, or a shard
    /// has no report
    MergeReports {
        /// The reports (`--report` files)
        #[arg(required = true)]
        reports: Vec<PathBuf>,
    },
    /// Check files lacuna wrote with the validators that are installed (as --check does
    /// after a conversion), the format taken from the extension (.json, .tei.xml, .epub,
    /// .pdf); exit status 1 if a check fails
    Check {
        /// The files to check
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
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
