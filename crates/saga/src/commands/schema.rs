//! `saga schema check` and `saga schema publish`: the compatibility gate
//! over `events-schema/` (see [`crate::schema`]).

use crate::schema::compat::Mode;
use crate::schema::{self, Standing};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(subcommand)]
    pub command: SchemaCommand,
}

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Compares every current contract with the last published revision of
    /// its major; exits non-zero naming each field of a change the mode
    /// refuses.
    Check(GateArgs),
    /// Checks, then records each new or compatibly changed contract as the
    /// next published revision of its major.
    Publish(GateArgs),
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The contracts: `schemas/` (current) and `published/` (every revision).
    #[arg(long, default_value = "events-schema")]
    pub dir: PathBuf,
    /// Which changes fail: FULL (the saga's: its readers validate what they
    /// read), BACKWARD or FORWARD, as in Confluent Schema Registry.
    #[arg(long, value_enum, default_value_t = Mode::Full)]
    pub mode: Mode,
}

pub fn run(args: &SchemaArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match &args.command {
        SchemaCommand::Check(gate) => check(gate, out),
        SchemaCommand::Publish(gate) => {
            for path in schema::publish(&gate.dir, gate.mode)? {
                writeln!(out, "published {}", path.display())?;
            }
            check(gate, out)
        }
    }
}

fn check(gate: &GateArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let mut breaking = 0;
    for v in schema::check(&gate.dir, gate.mode)? {
        let name = format!("{} v{}", v.name, v.major);
        match v.standing {
            Standing::New => writeln!(
                out,
                "{name}: new, nothing published to compare with (`saga schema publish` records revision 1)"
            )?,
            Standing::Unchanged { revision } => {
                writeln!(out, "{name}: published as revision {revision}")?;
            }
            Standing::Compatible { revision } => writeln!(
                out,
                "{name}: compatible ({}) with revision {revision} (`saga schema publish` records revision {})",
                gate.mode,
                revision + 1
            )?,
            Standing::Breaking { revision, changes } => {
                breaking += 1;
                writeln!(out, "{name}: BREAKS revision {revision} ({}):", gate.mode)?;
                for change in changes {
                    writeln!(out, "  {change}")?;
                }
            }
        }
    }
    if breaking > 0 {
        writeln!(
            out,
            "{breaking} contract(s) not {} compatible: a breaking change needs a new major (README, \"Changing an event\")",
            gate.mode
        )?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
