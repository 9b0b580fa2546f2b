//! Results of seeds and their summary: which saga paths and which faults
//! the seeds reached, and which seeds failed.

use super::plan::SagaPath;
use emulator::Fault;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SeedResult {
    pub seed: u64,
    /// What went wrong; empty when every check held.
    pub failures: Vec<String>,
    /// The path each order took.
    pub paths: Vec<SagaPath>,
    /// Faults injected, by kind.
    pub faults: Vec<(Fault, u64)>,
    pub poisoned: u64,
    pub restarts: u32,
    pub elapsed: Duration,
}

impl SeedResult {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            failures: Vec::new(),
            paths: Vec::new(),
            faults: Vec::new(),
            poisoned: 0,
            restarts: 0,
            elapsed: Duration::ZERO,
        }
    }

    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Per kind: how many seeds reached it, and how many times in all.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    pub seeds: u64,
    pub total: u64,
}

impl Reach {
    fn add(&mut self, n: u64) {
        if n > 0 {
            self.seeds += 1;
            self.total += n;
        }
    }
}

#[derive(Debug, Default)]
pub struct Summary {
    pub seeds: u64,
    pub failed: Vec<SeedResult>,
    pub paths: BTreeMap<SagaPath, Reach>,
    pub faults: BTreeMap<&'static str, Reach>,
    pub slowest: Duration,
    pub slowest_seed: u64,
    pub elapsed: Duration,
    /// Seed runners that panicked (a bug in the simulation itself).
    pub crashed: Vec<String>,
}

impl Summary {
    pub fn add(&mut self, result: SeedResult) {
        self.seeds += 1;
        for path in SagaPath::ALL {
            let n = result.paths.iter().filter(|p| **p == path).count() as u64;
            self.paths.entry(path).or_default().add(n);
        }
        for (kind, n) in &result.faults {
            self.faults.entry(kind.name()).or_default().add(*n);
        }
        self.faults
            .entry("poison message")
            .or_default()
            .add(result.poisoned);
        self.faults
            .entry("crash and restart of the runtime")
            .or_default()
            .add(u64::from(result.restarts));
        if result.elapsed >= self.slowest {
            self.slowest = result.elapsed;
            self.slowest_seed = result.seed;
        }
        if !result.passed() {
            self.failed.push(result);
        }
    }

    pub fn passed(&self) -> bool {
        self.failed.is_empty() && self.crashed.is_empty()
    }

    pub fn path(&self, path: SagaPath) -> Reach {
        self.paths.get(&path).copied().unwrap_or_default()
    }

    pub fn fault(&self, name: &str) -> Reach {
        self.faults.get(name).copied().unwrap_or_default()
    }

    pub fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(
            out,
            "seeds:   {} run, {} failed, in {:.1} s (slowest: seed {}, {:.2} s)",
            self.seeds,
            self.failed.len() + self.crashed.len(),
            self.elapsed.as_secs_f64(),
            self.slowest_seed,
            self.slowest.as_secs_f64()
        )?;
        writeln!(out, "saga paths reached          seeds     orders")?;
        for (path, reach) in &self.paths {
            writeln!(
                out,
                "  {:<60} {:>6} {:>10}",
                path.name(),
                reach.seeds,
                reach.total
            )?;
        }
        writeln!(out, "faults injected             seeds     times")?;
        for (name, reach) in &self.faults {
            writeln!(out, "  {:<60} {:>6} {:>10}", name, reach.seeds, reach.total)?;
        }
        for result in &self.failed {
            writeln!(
                out,
                "FAILED seed {} (rerun: saga simulate --seed {}):",
                result.seed, result.seed
            )?;
            for failure in &result.failures {
                writeln!(out, "  {failure}")?;
            }
        }
        for crash in &self.crashed {
            writeln!(out, "a seed runner panicked: {crash}")?;
        }
        Ok(())
    }
}
