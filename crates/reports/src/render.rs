//! A report in the format asked for: the text formats of [`crate::output`]
//! or the chart of [`crate::chart`]. Apart from both, so neither depends on
//! the other's module (the chart reads a [`Report`]; the text formats know
//! nothing of charts).

use crate::chart;
use crate::output::{Format, Report};

impl Report {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Json => self.to_json(),
            Format::Csv => self.to_csv(),
            Format::Table => self.to_table(),
            Format::Svg => chart::svg(self),
        }
    }
}
