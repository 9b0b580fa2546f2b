//! Cross-department reports over the saga's events, the same five on both
//! sides: locally from the SQLite archive of the embedded runtime
//! ([`local`]), on AWS from the S3 data lake through Athena named queries
//! ([`athena`]). Both return a [`Report`] of the same JSON shape, rendered
//! as JSON, CSV, a text table ([`output`]) or an SVG chart ([`chart`]);
//! [`api`] serves them as `GET /reports/{name}` for the local HTTP API and
//! the reports Lambda alike.

pub mod api;
#[cfg(feature = "aws")]
pub mod athena;
pub mod chart;
pub mod definition;
pub mod error;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod local;
pub mod output;
pub mod params;
mod render;

pub use definition::{Column, ColumnKind, ReportName};
pub use error::ReportError;
pub use output::{Format, Report};
pub use params::Window;
