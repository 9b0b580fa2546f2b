//! A report's result, the one shape both sides return, and how it is
//! written: JSON, CSV (RFC 4180), an aligned text table, or an SVG chart.

use crate::definition::{ColumnKind, ReportName};
use crate::error::ReportError;
use crate::params::{Window, shown};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ColumnOut {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `{"report", "title", "from", "to", "columns": [{"name","type"}], "rows": [{column: value}]}`.
/// One result row, its cells in column order; as JSON, an object whose
/// members keep that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<(&'static str, Value)>);

impl std::ops::Index<&str> for Row {
    type Output = Value;

    /// The cell of a column; null for a column the report does not have.
    fn index(&self, column: &str) -> &Value {
        self.0
            .iter()
            .find(|(name, _)| *name == column)
            .map_or(&Value::Null, |(_, v)| v)
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Report {
    #[serde(skip)]
    pub name: ReportName,
    pub report: &'static str,
    pub title: &'static str,
    pub from: Option<String>,
    pub to: Option<String>,
    pub columns: Vec<ColumnOut>,
    pub rows: Vec<Row>,
}

/// One cell as a query returns it, before it is typed by its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Text(String),
}

impl Report {
    /// Types each row's cells by the report's declared columns: integers
    /// as JSON numbers (Athena returns every value as text), text as
    /// strings, SQL NULL as null.
    pub fn new(
        name: ReportName,
        window: &Window,
        rows: Vec<Vec<Cell>>,
    ) -> Result<Self, ReportError> {
        let columns = name.columns();
        let shape = |reason: String| ReportError::Shape {
            report: name.as_str().to_owned(),
            reason,
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if row.len() != columns.len() {
                return Err(shape(format!(
                    "a row has {} values for {} columns",
                    row.len(),
                    columns.len()
                )));
            }
            let mut object = Vec::with_capacity(columns.len());
            for (column, cell) in columns.iter().zip(row) {
                let value = match (column.kind, cell) {
                    (_, Cell::Null) => Value::Null,
                    (ColumnKind::Integer, Cell::Integer(n)) => n.into(),
                    (ColumnKind::Integer, Cell::Text(t)) => {
                        t.trim().parse::<i64>().map(Value::from).map_err(|_| {
                            shape(format!(
                                "column {} holds {t:?}, not an integer",
                                column.name
                            ))
                        })?
                    }
                    (ColumnKind::Text, Cell::Text(t)) => t.into(),
                    (ColumnKind::Text, Cell::Integer(n)) => n.to_string().into(),
                };
                object.push((column.name, value));
            }
            out.push(Row(object));
        }
        Ok(Self {
            name,
            report: name.as_str(),
            title: name.title(),
            from: shown(window.from),
            to: shown(window.to),
            columns: columns
                .iter()
                .map(|c| ColumnOut {
                    name: c.name,
                    kind: match c.kind {
                        ColumnKind::Text => "text",
                        ColumnKind::Integer => "integer",
                    },
                })
                .collect(),
            rows: out,
        })
    }

    fn cell_text(value: &Value) -> String {
        match value {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    fn grid(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|c| Self::cell_text(&row[c.name]))
                    .collect()
            })
            .collect()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    pub fn to_csv(&self) -> String {
        let line = |cells: Vec<String>| {
            cells
                .into_iter()
                .map(|c| {
                    if c.contains([',', '"', '\n', '\r']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        let mut out = line(self.columns.iter().map(|c| c.name.to_owned()).collect());
        out.push_str("\r\n");
        for row in self.grid() {
            out.push_str(&line(row));
            out.push_str("\r\n");
        }
        out
    }

    /// A title line, then the columns aligned; numbers to the right.
    pub fn to_table(&self) -> String {
        let header: Vec<String> = self.columns.iter().map(|c| c.name.to_owned()).collect();
        let grid = self.grid();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                grid.iter()
                    .map(|r| r[i].chars().count())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let render = |cells: &[String]| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&self.columns)
                .zip(&widths)
                .map(|((cell, column), &w)| match column.kind {
                    "integer" => format!("{cell:>w$}"),
                    _ => format!("{cell:<w$}"),
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let window = match (&self.from, &self.to) {
            (None, None) => String::new(),
            (from, to) => format!(
                " [{} .. {})",
                from.as_deref().unwrap_or("start"),
                to.as_deref().unwrap_or("now")
            ),
        };
        let mut out = format!("{}{window}\n{}\n", self.title, render(&header));
        out.push_str(&render(
            &widths.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>(),
        ));
        out.push('\n');
        for row in &grid {
            out.push_str(&render(row));
            out.push('\n');
        }
        if grid.is_empty() {
            out.push_str("(no rows)\n");
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Svg,
}

impl Format {
    pub fn parse(text: &str) -> Result<Self, ReportError> {
        Ok(match text {
            "table" => Self::Table,
            "json" => Self::Json,
            "csv" => Self::Csv,
            "svg" => Self::Svg,
            other => {
                return Err(ReportError::bad(
                    "format",
                    format!("{other:?} is not one of table, json, csv, svg"),
                ));
            }
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Table => "text/plain; charset=utf-8",
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Svg => "image/svg+xml",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report::new(
            ReportName::DeadLetters,
            &Window::default(),
            vec![
                vec![
                    Cell::Text("InventoryDLQ".into()),
                    Cell::Text("boom, \"twice\"".into()),
                    Cell::Text("3".into()),
                ],
                vec![
                    Cell::Text("PaymentDLQ".into()),
                    Cell::Null,
                    Cell::Integer(1),
                ],
            ],
        )
        .unwrap()
    }

    #[test]
    fn cells_are_typed_by_their_column_whatever_the_query_returned() {
        let r = sample();
        assert_eq!(r.rows[0]["messages"], 3);
        assert_eq!(r.rows[1]["error"], Value::Null);
        let json: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(
            json["columns"][2],
            serde_json::json!({"name": "messages", "type": "integer"})
        );
        assert_eq!(json["from"], Value::Null);
        let rows = serde_json::to_string(&r.rows).unwrap();
        assert!(
            rows.starts_with(r#"[{"queue":"InventoryDLQ","error":"boom, \"twice\"","messages":3}"#),
            "rows keep the column order: {rows}"
        );
    }

    #[test]
    fn a_non_integer_in_an_integer_column_is_a_shape_error_naming_the_column() {
        let e = Report::new(
            ReportName::Revenue,
            &Window::default(),
            vec![vec![
                Cell::Text("USD".into()),
                Cell::Text("x".into()),
                Cell::Integer(1),
            ]],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("column orders"), "{e}");
    }

    #[test]
    fn csv_quotes_commas_and_quotes_and_tables_align_numbers_right() {
        let r = sample();
        assert_eq!(
            r.to_csv(),
            "queue,error,messages\r\nInventoryDLQ,\"boom, \"\"twice\"\"\",3\r\nPaymentDLQ,,1\r\n"
        );
        let table = r.to_table();
        let lines: Vec<&str> = table.lines().collect();
        // Widths: queue 12, error 13 (`boom, "twice"`), messages 8.
        assert_eq!(lines[1], "queue         error          messages");
        assert_eq!(lines[3], "InventoryDLQ  boom, \"twice\"         3");
        assert_eq!(
            lines[4],
            format!("PaymentDLQ    {}  {:>8}", " ".repeat(13), 1)
        );
    }

    #[test]
    fn an_unknown_format_is_refused_naming_the_choices() {
        let e = Format::parse("xml").unwrap_err().to_string();
        assert!(e.contains("format") && e.contains("svg"), "{e}");
    }
}
