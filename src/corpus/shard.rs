//! Splitting a run between the tasks of an array job, with no coordinator.
//!
//! Every task walks the same sorted list and keeps the inputs whose *stable hash* of
//! the path relative to its folder argument falls in its shard. The hash depends on
//! nothing but that path, so adding files to an archive moves only the new ones, and a
//! rerun of one failed task converts exactly what it did before. It is FNV-1a (64 bits)
//! of the path's bytes with `/` as separator, finished with MurmurHash3's `fmix64` so
//! that the low bits used by `mod N` are well mixed — both are short, published
//! algorithms, written out here so that no library update can change a split.
//!
//! The shard comes from `--shard K/N`, or from the environment: Slurm's
//! `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_COUNT` (or `…_MIN`/`…_MAX`, and
//! `…_STEP`), or Kubernetes' `JOB_COMPLETION_INDEX` with `--shard-count N`.

use std::fmt;
use std::path::Path;

/// One shard of the inputs: `K/N`, with 1 ≤ K ≤ N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub k: usize,
    /// How many shards there are.
    pub n: usize,
}

impl Shard {
    /// Tells whether the input with this relative path belongs to this shard.
    pub fn takes(self, rel: &Path) -> bool {
        (path_hash(rel) % self.n as u64) as usize == self.k - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
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

/// Hashes a relative path: FNV-1a 64 over its components' bytes joined by `/`, then
/// `fmix64`. The same on every platform and in every version of lacuna.
pub fn path_hash(rel: &Path) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            eat(b"/");
        }
        eat(part.as_os_str().as_encoded_bytes());
    }
    fmix64(h)
}

/// MurmurHash3's 64-bit finaliser (Austin Appleby, public domain).
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// Where a shard came from, for `-v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromEnv {
    /// The shard.
    pub shard: Shard,
    /// The variables it was read from, as `NAME=value` pairs.
    pub source: String,
}

/// Reads the shard from the environment (`var` looks a variable up): Kubernetes'
/// `JOB_COMPLETION_INDEX` when `shard_count` (`--shard-count`) is given, else Slurm's
/// array variables. `Ok(None)` when neither applies; a malformed or out-of-range value
/// is an error naming the variable.
pub fn from_env(
    var: impl Fn(&str) -> Option<String>,
    shard_count: Option<usize>,
) -> Result<Option<FromEnv>, String> {
    if let Some(n) = shard_count {
        if n == 0 {
            return Err("--shard-count must be at least 1".into());
        }
        let Some(index) = var("JOB_COMPLETION_INDEX") else {
            return Err(
                "--shard-count needs JOB_COMPLETION_INDEX (a Kubernetes Indexed \
                        Job sets it); use --shard K/N elsewhere"
                    .into(),
            );
        };
        let i = number("JOB_COMPLETION_INDEX", &index)?;
        if i >= n {
            return Err(format!(
                "JOB_COMPLETION_INDEX={i} is out of range for --shard-count {n} (0 to {})",
                n - 1
            ));
        }
        return Ok(Some(FromEnv {
            shard: Shard { k: i + 1, n },
            source: format!("JOB_COMPLETION_INDEX={i}, --shard-count {n}"),
        }));
    }
    let Some(id) = var("SLURM_ARRAY_TASK_ID") else {
        return Ok(None);
    };
    let id = number("SLURM_ARRAY_TASK_ID", &id)?;
    let get = |name: &str| var(name).map(|v| number(name, &v)).transpose();
    let min = get("SLURM_ARRAY_TASK_MIN")?;
    let max = get("SLURM_ARRAY_TASK_MAX")?;
    let step = get("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
    if step == 0 {
        return Err("SLURM_ARRAY_TASK_STEP=0 is not a step".into());
    }
    let count = match (get("SLURM_ARRAY_TASK_COUNT")?, min, max) {
        (Some(count), _, _) => count,
        (None, Some(min), Some(max)) if max >= min => (max - min) / step + 1,
        (None, Some(min), Some(max)) => {
            return Err(format!(
                "SLURM_ARRAY_TASK_MAX={max} is below SLURM_ARRAY_TASK_MIN={min}"
            ));
        }
        _ => {
            return Err(
                "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor \
                        SLURM_ARRAY_TASK_MIN and _MAX: cannot tell how many shards there are"
                    .into(),
            );
        }
    };
    let min = min.unwrap_or(0);
    if id < min || (id - min) % step != 0 {
        return Err(format!(
            "SLURM_ARRAY_TASK_ID={id} is not in the array (from {min}, step {step})"
        ));
    }
    let k = (id - min) / step + 1;
    if count == 0 || k > count {
        return Err(format!(
            "SLURM_ARRAY_TASK_ID={id} is out of range: task {k} of {count} \
             (an array such as --array=0-3%2 or 1,5,9 cannot be split: use --shard K/N)"
        ));
    }
    Ok(Some(FromEnv {
        shard: Shard { k, n: count },
        source: format!("SLURM_ARRAY_TASK_ID={id} of {count}"),
    }))
}

fn number(name: &str, value: &str) -> Result<usize, String> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{name}={value:?} is not a whole number"));
    }
    v.parse()
        .map_err(|_| format!("{name}={value:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_hash_is_the_published_one_and_splits_evenly() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the FNV reference test vector).
        assert_eq!(fmix64(0xaf63_dc4c_8601_ec8c), path_hash(Path::new("a")));
        assert_eq!(
            path_hash(Path::new("x/y.txt")),
            path_hash(Path::new("x//y.txt"))
        );
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { k, n: 4 }).collect();
        let mut counts = [0; 4];
        for i in 0..4000 {
            let rel = format!("y{}/doc-{i}.txt", i % 7);
            let owners: Vec<usize> = (0..4)
                .filter(|&s| shards[s].takes(Path::new(&rel)))
                .collect();
            assert_eq!(owners.len(), 1, "{rel}");
            counts[owners[0]] += 1;
        }
        assert!(
            counts.iter().all(|&c| (900..1100).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn shard_flags_parse_and_refuse_nonsense() {
        assert_eq!("2/8".parse(), Ok(Shard { k: 2, n: 8 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slurm_variables_give_the_shard() {
        let got = from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ]),
            None,
        );
        assert_eq!(got.unwrap().unwrap().shard, Shard { k: 3, n: 4 });
        let got = from_env(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "9"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
            ]),
            None,
        );
        assert_eq!(got.unwrap().unwrap().shard, Shard { k: 4, n: 5 });
        assert_eq!(from_env(env(&[]), None), Ok(None));
    }

    #[test]
    fn kubernetes_index_needs_a_shard_count() {
        let got = from_env(env(&[("JOB_COMPLETION_INDEX", "0")]), Some(3));
        assert_eq!(got.unwrap().unwrap().shard, Shard { k: 1, n: 3 });
        let err = from_env(env(&[]), Some(3)).unwrap_err();
        assert!(err.contains("needs JOB_COMPLETION_INDEX"), "{err}");
        let err = from_env(env(&[("JOB_COMPLETION_INDEX", "3")]), Some(3)).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        // Without --shard-count the index is not used.
        assert_eq!(
            from_env(env(&[("JOB_COMPLETION_INDEX", "1")]), None),
            Ok(None)
        );
    }

    #[test]
    fn malformed_and_out_of_range_values_are_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "x"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "SLURM_ARRAY_TASK_ID=\"x\" is not a whole number",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "-1"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "is not a whole number",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "four"),
                ],
                "SLURM_ARRAY_TASK_COUNT=\"four\"",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "out of range",
            ),
            (
                &[("SLURM_ARRAY_TASK_ID", "1")],
                "cannot tell how many shards",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_MIN", "3"),
                    ("SLURM_ARRAY_TASK_MAX", "5"),
                ],
                "not in the array",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_MIN", "5"),
                    ("SLURM_ARRAY_TASK_MAX", "3"),
                ],
                "below",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "99999999999999999999999"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                "out of range",
            ),
        ];
        for (vars, want) in cases {
            let err = from_env(env(vars), None).unwrap_err();
            assert!(err.contains(want), "{vars:?}: {err}");
        }
        assert!(from_env(env(&[]), Some(0)).is_err());
    }
}
