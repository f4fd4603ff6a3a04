//! Array jobs through the binary: shards from flags and from Slurm's and Kubernetes'
//! environment, stable when files are added, merged reports.

mod common;

use common::stderr;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const VARS: [&str; 6] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
];

/// A lacuna command in `cwd` with no array-job variables but those given.
fn lacuna(cwd: &Path, vars: &[(&str, &str)]) -> Command {
    let mut cmd = common::lacuna();
    cmd.current_dir(cwd);
    for v in VARS {
        cmd.env_remove(v);
    }
    cmd.envs(vars.iter().copied());
    cmd
}

fn archive(root: &Path, range: std::ops::Range<usize>) {
    for i in range {
        let path = root.join(format!("f{}/g{}/doc-{i}.md", i % 5, i % 3));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("# Doc {i}\n\nText {i}.\n")).unwrap();
    }
}

/// Runs the four shards of the archive; returns input → shard from their reports.
fn shards_of(d: &Path, out: &str) -> BTreeMap<String, usize> {
    let mut owner = BTreeMap::new();
    for k in 1..=4 {
        let report = format!("{out}/reports/{k}.json");
        let run = lacuna(d, &[])
            .args(["archive", "--json", "-o", out, "--report", &report])
            .args(["--shard", &format!("{k}/4")])
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", stderr(&run));
        let report: serde_json::Value =
            serde_json::from_str(&common::read(&d.join(&report))).unwrap();
        for entry in report["inputs"].as_array().unwrap() {
            let input = entry["input"].as_str().unwrap().to_owned();
            assert!(owner.insert(input, k).is_none(), "an input in two shards");
        }
    }
    owner
}

#[test]
fn adding_ten_files_to_four_hundred_moves_no_existing_file() {
    let dir = common::temp_dir();
    let d = dir.path();
    archive(&d.join("archive"), 0..400);
    let before = shards_of(d, "out1");
    assert_eq!(before.len(), 400);
    let mut sizes = [0; 4];
    before.values().for_each(|&k| sizes[k - 1] += 1);
    assert!(
        sizes.iter().all(|&n| (70..=130).contains(&n)),
        "uneven: {sizes:?}"
    );
    archive(&d.join("archive"), 400..410);
    let after = shards_of(d, "out2");
    assert_eq!(after.len(), 410);
    for (input, k) in &before {
        assert_eq!(after[input], *k, "{input} moved");
    }
    let merged = lacuna(d, &[])
        .args(["merge-reports"])
        .args((1..=4).map(|k| format!("out2/reports/{k}.json")))
        .output()
        .unwrap();
    assert!(merged.status.success(), "{}", stderr(&merged));
    let totals = String::from_utf8_lossy(&merged.stdout);
    assert!(
        totals
            .starts_with("4 reports: 410 inputs, 410 converted, 0 failed, 0 warnings, 410 outputs"),
        "{totals}"
    );
    // Without the fourth report the merge says which shard is missing.
    let merged = lacuna(d, &[])
        .args(["merge-reports"])
        .args((1..=3).map(|k| format!("out2/reports/{k}.json")))
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(1));
    assert_eq!(stderr(&merged), "lacuna: shard 4/4: no report\n");
}

#[test]
fn the_environment_chooses_the_shard_and_verbose_says_which() {
    let dir = common::temp_dir();
    let d = dir.path();
    archive(&d.join("archive"), 0..40);
    let by_flag = lacuna(d, &[])
        .args(["archive", "--json", "-o", "flag", "--shard", "2/4", "-v"])
        .output()
        .unwrap();
    assert!(by_flag.status.success());
    let slurm = lacuna(
        d,
        &[
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
    )
    .args(["archive", "--json", "-o", "slurm", "-v"])
    .output()
    .unwrap();
    assert!(slurm.status.success(), "{}", stderr(&slurm));
    let first = stderr(&slurm).lines().next().unwrap().to_owned();
    assert!(
        first.starts_with("lacuna: shard 2/4 (SLURM_ARRAY_TASK_ID=1 of 4): ")
            && first.ends_with(" of 40 inputs"),
        "{first}"
    );
    let k8s = lacuna(d, &[("JOB_COMPLETION_INDEX", "1")])
        .args(["archive", "--json", "-o", "k8s", "--shard-count", "4", "-v"])
        .output()
        .unwrap();
    assert!(k8s.status.success(), "{}", stderr(&k8s));
    let files = |out: &str| {
        let mut v: Vec<String> = walk(&d.join(out));
        v.sort();
        v
    };
    assert_eq!(files("flag"), files("slurm"));
    assert_eq!(files("flag"), files("k8s"));
    assert!(!files("flag").is_empty());
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            let name = e.file_name().to_string_lossy().into_owned();
            out.extend(walk(&e.path()).into_iter().map(|p| format!("{name}/{p}")));
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn bad_array_variables_are_usage_errors() {
    let dir = common::temp_dir();
    let d = dir.path();
    archive(&d.join("archive"), 0..3);
    /// (environment, extra flags, expected message)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "one"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &[],
            "lacuna: SLURM_ARRAY_TASK_ID=\"one\" is not a whole number\n",
        ),
        (
            &[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &[],
            "out of range",
        ),
        (
            &[("SLURM_ARRAY_TASK_ID", "0")],
            &[],
            "cannot tell how many shards",
        ),
        (&[], &["--shard-count", "4"], "needs JOB_COMPLETION_INDEX"),
        (
            &[("JOB_COMPLETION_INDEX", "9")],
            &["--shard-count", "4"],
            "JOB_COMPLETION_INDEX=9 is out of range for --shard-count 4",
        ),
    ];
    for (vars, flags, want) in cases {
        let out = lacuna(d, vars)
            .args(["archive", "--json", "-o", "out"])
            .args(*flags)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{vars:?}");
        assert!(stderr(&out).contains(want), "{vars:?}: {}", stderr(&out));
        assert!(!d.join("out").exists());
    }
}
