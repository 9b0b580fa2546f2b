//! The event contracts' registry on disk, and the compatibility gate.
//!
//! `events-schema/schemas/` holds the current contract of every major of
//! every event type, generated from the Rust types (`make schema`);
//! `events-schema/published/<type>/v<major>.<revision>.json` every revision
//! ever published. [`check`] compares each current contract with the last
//! published revision of its major ([`compat`]); [`publish`] records a
//! compatible change as the next revision. A breaking change needs a new
//! major (README, "Changing an event").

pub mod compat;

use compat::{Change, Mode};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum SchemaError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not JSON: {source}")]
    Json {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path} is not an event contract: {reason}")]
    NotAContract { path: String, reason: &'static str },
    #[error(
        "{0} contract(s) break their last published revision: a breaking change needs a new major (README, \"Changing an event\")"
    )]
    Breaking(usize),
}

/// The current contract of one major of one event type.
#[derive(Debug, Clone)]
pub struct Contract {
    /// `order-placed`.
    pub name: String,
    pub major: u32,
    pub schema: Value,
}

/// How a current contract stands against its last published revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing published for this major yet: revision 1 on publish.
    New,
    Unchanged {
        revision: u32,
    },
    /// Differs, and every difference is allowed by the mode.
    Compatible {
        revision: u32,
    },
    Breaking {
        revision: u32,
        changes: Vec<Change>,
    },
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub name: String,
    pub major: u32,
    pub standing: Standing,
}

fn read_json(path: &Path) -> Result<Value, SchemaError> {
    let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Io {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SchemaError::Json {
        path: path.display().to_string(),
        source,
    })
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, SchemaError> {
    let io = |source| SchemaError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// Every current contract under `<dir>/schemas`; a file's type and major
/// come from its own `title` and pinned `metadata.version`.
pub fn current(dir: &Path) -> Result<Vec<Contract>, SchemaError> {
    let mut out = Vec::new();
    for path in json_files(&dir.join("schemas"))? {
        let schema = read_json(&path)?;
        let bad = |reason| SchemaError::NotAContract {
            path: path.display().to_string(),
            reason,
        };
        let title = schema["title"]
            .as_str()
            .ok_or_else(|| bad("no title (the detail type)"))?;
        let major = schema
            .pointer("/$defs/Metadata/properties/version/const")
            .and_then(Value::as_u64)
            .and_then(|m| u32::try_from(m).ok())
            .ok_or_else(|| bad("no const metadata.version (the major)"))?;
        out.push(Contract {
            name: title.to_ascii_lowercase().replace(' ', "-"),
            major,
            schema,
        });
    }
    Ok(out)
}

/// The published revisions of each (type, major), in order.
pub fn published(dir: &Path) -> Result<BTreeMap<(String, u32), Vec<u32>>, SchemaError> {
    let mut out: BTreeMap<(String, u32), Vec<u32>> = BTreeMap::new();
    let root = dir.join("published");
    if !root.exists() {
        return Ok(out);
    }
    let io = |source| SchemaError::Io {
        path: root.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(&root).map_err(io)? {
        let type_dir = entry.map_err(io)?.path();
        let Some(name) = type_dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !type_dir.is_dir() {
            continue;
        }
        for path in json_files(&type_dir)? {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let parsed = stem
                .strip_prefix('v')
                .and_then(|s| s.split_once('.'))
                .and_then(|(m, r)| Some((m.parse().ok()?, r.parse().ok()?)));
            let Some((major, revision)) = parsed else {
                return Err(SchemaError::NotAContract {
                    path: path.display().to_string(),
                    reason: "a published revision is named v<major>.<revision>.json",
                });
            };
            out.entry((name.to_owned(), major))
                .or_default()
                .push(revision);
        }
    }
    for revisions in out.values_mut() {
        revisions.sort_unstable();
    }
    Ok(out)
}

fn revision_path(dir: &Path, name: &str, major: u32, revision: u32) -> PathBuf {
    dir.join("published")
        .join(name)
        .join(format!("v{major}.{revision}.json"))
}

/// Each current contract against the last published revision of its major.
pub fn check(dir: &Path, mode: Mode) -> Result<Vec<Verdict>, SchemaError> {
    let published = published(dir)?;
    let mut verdicts = Vec::new();
    for c in current(dir)? {
        let last = published
            .get(&(c.name.clone(), c.major))
            .and_then(|r| r.last().copied());
        let standing = match last {
            None => Standing::New,
            Some(revision) => {
                let old = read_json(&revision_path(dir, &c.name, c.major, revision))?;
                if old == c.schema {
                    Standing::Unchanged { revision }
                } else {
                    let changes = compat::breaking(&old, &c.schema, mode);
                    if changes.is_empty() {
                        Standing::Compatible { revision }
                    } else {
                        Standing::Breaking { revision, changes }
                    }
                }
            }
        };
        verdicts.push(Verdict {
            name: c.name,
            major: c.major,
            standing,
        });
    }
    Ok(verdicts)
}

/// Records every new or compatibly changed contract as the next revision
/// of its major; refuses, writing nothing, when any contract breaks its
/// published revision. Returns the files written.
pub fn publish(dir: &Path, mode: Mode) -> Result<Vec<PathBuf>, SchemaError> {
    let verdicts = check(dir, mode)?;
    let breaking = verdicts
        .iter()
        .filter(|v| matches!(v.standing, Standing::Breaking { .. }))
        .count();
    if breaking > 0 {
        return Err(SchemaError::Breaking(breaking));
    }
    let contracts: BTreeMap<(String, u32), Contract> = current(dir)?
        .into_iter()
        .map(|c| ((c.name.clone(), c.major), c))
        .collect();
    let mut written = Vec::new();
    for v in verdicts {
        let next = match v.standing {
            Standing::New => 1,
            Standing::Compatible { revision } => revision + 1,
            Standing::Unchanged { .. } | Standing::Breaking { .. } => continue,
        };
        let Some(contract) = contracts.get(&(v.name.clone(), v.major)) else {
            continue;
        };
        let path = revision_path(dir, &v.name, v.major, next);
        let io = |source| SchemaError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(&contract.schema)
            .unwrap_or_else(|e| unreachable!("a parsed JSON value prints: {e}"))
            + "\n";
        std::fs::write(&path, text).map_err(io)?;
        written.push(path);
    }
    Ok(written)
}
