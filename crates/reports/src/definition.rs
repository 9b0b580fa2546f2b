//! The five reports: their names, columns, chart and queries. Each has one
//! SQLite query over the local archive (`sql/sqlite/NAME.sql`) and one
//! Athena query over the data lake (`sql/athena/NAME.sql`, published as a
//! named query by `infra/template.yaml`); both return the declared columns.

use crate::error::ReportError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportName {
    OrdersByStatus,
    CancellationReasons,
    TimeToFinalState,
    Revenue,
    DeadLetters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
}

const fn text(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Text,
    }
}

const fn int(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Integer,
    }
}

/// How a report is drawn: one group of bars per `x` value, one bar per
/// series. Series are the distinct values of `series`, or else the `y`
/// columns themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartSpec {
    pub x: &'static str,
    pub series: Option<&'static str>,
    pub y: &'static [&'static str],
    pub y_label: &'static str,
}

/// A value bound to an Athena query's `?` placeholders, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    From,
    To,
}

impl ReportName {
    pub const ALL: [ReportName; 5] = [
        Self::OrdersByStatus,
        Self::CancellationReasons,
        Self::TimeToFinalState,
        Self::Revenue,
        Self::DeadLetters,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrdersByStatus => "orders-by-status",
            Self::CancellationReasons => "cancellation-reasons",
            Self::TimeToFinalState => "time-to-final-state",
            Self::Revenue => "revenue",
            Self::DeadLetters => "dead-letters",
        }
    }

    pub fn parse(name: &str) -> Result<Self, ReportError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| ReportError::UnknownReport {
                name: name.to_owned(),
                known: Self::ALL.map(Self::as_str).join(", "),
            })
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::OrdersByStatus => "Orders by final status per hour",
            Self::CancellationReasons => "Cancellation reasons",
            Self::TimeToFinalState => "Time from placement to final state per path (ms)",
            Self::Revenue => "Revenue confirmed per currency (minor units)",
            Self::DeadLetters => "Dead-lettered messages by queue and error",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        const ORDERS_BY_STATUS: &[Column] = &[text("hour"), text("status"), int("orders")];
        const REASONS: &[Column] = &[text("reason"), int("orders")];
        const TIMES: &[Column] = &[
            text("path"),
            int("orders"),
            int("p50_ms"),
            int("p95_ms"),
            int("p99_ms"),
        ];
        const REVENUE: &[Column] = &[text("currency"), int("orders"), int("revenue_minor")];
        const DEAD_LETTERS: &[Column] = &[text("queue"), text("error"), int("messages")];
        match self {
            Self::OrdersByStatus => ORDERS_BY_STATUS,
            Self::CancellationReasons => REASONS,
            Self::TimeToFinalState => TIMES,
            Self::Revenue => REVENUE,
            Self::DeadLetters => DEAD_LETTERS,
        }
    }

    pub fn chart(self) -> ChartSpec {
        match self {
            Self::OrdersByStatus => ChartSpec {
                x: "hour",
                series: Some("status"),
                y: &["orders"],
                y_label: "orders",
            },
            Self::CancellationReasons => ChartSpec {
                x: "reason",
                series: None,
                y: &["orders"],
                y_label: "orders",
            },
            Self::TimeToFinalState => ChartSpec {
                x: "path",
                series: None,
                y: &["p50_ms", "p95_ms", "p99_ms"],
                y_label: "milliseconds",
            },
            Self::Revenue => ChartSpec {
                x: "currency",
                series: None,
                y: &["revenue_minor"],
                y_label: "minor units",
            },
            Self::DeadLetters => ChartSpec {
                x: "queue",
                series: Some("error"),
                y: &["messages"],
                y_label: "messages",
            },
        }
    }

    /// The query over the local SQLite archive; binds `:from` and `:to`.
    pub fn sqlite_sql(self) -> &'static str {
        match self {
            Self::OrdersByStatus => include_str!("../sql/sqlite/orders-by-status.sql"),
            Self::CancellationReasons => include_str!("../sql/sqlite/cancellation-reasons.sql"),
            Self::TimeToFinalState => include_str!("../sql/sqlite/time-to-final-state.sql"),
            Self::Revenue => include_str!("../sql/sqlite/revenue.sql"),
            Self::DeadLetters => include_str!("../sql/sqlite/dead-letters.sql"),
        }
    }

    /// The Athena named query's text, as the template publishes it.
    pub fn athena_sql(self) -> &'static str {
        match self {
            Self::OrdersByStatus => include_str!("../sql/athena/orders-by-status.sql"),
            Self::CancellationReasons => include_str!("../sql/athena/cancellation-reasons.sql"),
            Self::TimeToFinalState => include_str!("../sql/athena/time-to-final-state.sql"),
            Self::Revenue => include_str!("../sql/athena/revenue.sql"),
            Self::DeadLetters => include_str!("../sql/athena/dead-letters.sql"),
        }
    }

    /// What each `?` of the Athena query is bound to, in order: every query
    /// prunes partitions by date first, then filters by exact time.
    pub fn athena_params(self) -> &'static [Param] {
        match self {
            // Placements are looked up in their own partitions, from a day
            // before `from`: one more pair.
            Self::TimeToFinalState => &[
                Param::From,
                Param::To,
                Param::From,
                Param::To,
                Param::From,
                Param::To,
            ],
            _ => &[Param::From, Param::To, Param::From, Param::To],
        }
    }

    /// The environment variable holding the report's Athena named query id
    /// in the reports function (`NAMED_QUERY_ORDERS_BY_STATUS`, ...).
    pub fn named_query_env(self) -> String {
        format!(
            "NAMED_QUERY_{}",
            self.as_str().replace('-', "_").to_uppercase()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_name_parses_back_and_an_unknown_one_lists_the_known() {
        for r in ReportName::ALL {
            assert_eq!(ReportName::parse(r.as_str()).unwrap(), r);
        }
        let e = ReportName::parse("sales").unwrap_err().to_string();
        assert!(e.contains("\"sales\"") && e.contains("dead-letters"), "{e}");
    }

    #[test]
    fn every_athena_query_has_one_placeholder_per_declared_parameter() {
        for r in ReportName::ALL {
            let placeholders = r.athena_sql().matches('?').count();
            assert_eq!(placeholders, r.athena_params().len(), "{}", r.as_str());
        }
    }

    #[test]
    fn every_chart_names_columns_of_its_report() {
        for r in ReportName::ALL {
            let names: Vec<&str> = r.columns().iter().map(|c| c.name).collect();
            let chart = r.chart();
            for c in chart.y.iter().chain([&chart.x]).chain(chart.series.iter()) {
                assert!(names.contains(c), "{}: {c}", r.as_str());
            }
        }
    }
}
