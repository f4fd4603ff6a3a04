//! The minimum Rust version in Cargo.toml is honest: no dependency that `cargo install`
//! builds asks for a newer compiler. (Clippy's `incompatible_msrv` lint, run in CI, checks
//! the same for the standard library APIs lacuna itself calls.)

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Parses "1.89" or "1.89.0" into (major, minor, patch).
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().unwrap());
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

#[test]
fn rust_version_covers_every_built_dependency() {
    // Only this machine's platform: the other platforms' crates (Windows consoles, say)
    // need not be downloaded, so the test runs offline once the build has run.
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc names its host");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: BTreeMap<&str, &serde_json::Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &serde_json::Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = meta["resolve"]["root"].as_str().unwrap();
    let declared = packages[root]["rust_version"]
        .as_str()
        .expect("rust-version is set");

    // Walk the normal and build dependencies (what `cargo install` compiles), not dev ones.
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let built = dep["dep_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["kind"].as_str() != Some("dev"));
            if built {
                todo.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    let (needed, by) = seen
        .iter()
        .filter_map(|id| {
            let p = packages[id];
            Some((
                version(p["rust_version"].as_str()?),
                p["name"].as_str().unwrap(),
            ))
        })
        .max()
        .unwrap();
    assert!(
        version(declared) >= needed,
        "Cargo.toml says rust-version {declared}, but {by} needs {needed:?}"
    );
    assert_eq!(
        version(declared),
        needed,
        "rust-version {declared} is higher than any dependency needs ({by}: {needed:?}); \
         lower it to the real minimum unless lacuna's own code needs more"
    );
}
