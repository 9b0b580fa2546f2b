//! Reports as SVG bar charts, written as plain SVG text: one group of bars
//! per value of the chart's `x` column (hours for the time series), one
//! bar per series, a y axis with round ticks and a legend.

use crate::output::Report;
use serde_json::Value;
use std::fmt::Write;

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 90.0;
const COLOURS: [&str; 8] = [
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#76b7b2", "#edc948", "#b07aa1", "#9c755f",
];

/// The data a chart draws: categories along x, and per series one value
/// per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<f64>)>,
}

fn label(value: &Value) -> String {
    match value {
        Value::Null => "(none)".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn first_seen(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// Pivots a report's rows by its chart spec.
pub fn series(report: &Report) -> Series {
    let spec = report.name.chart();
    let categories = first_seen(report.rows.iter().map(|r| label(&r[spec.x])));
    let position = |row: &crate::output::Row| {
        categories
            .iter()
            .position(|c| *c == label(&row[spec.x]))
            .unwrap_or(0)
    };
    let series = match spec.series {
        Some(column) => first_seen(report.rows.iter().map(|r| label(&r[column])))
            .into_iter()
            .map(|name| {
                let mut values = vec![0.0; categories.len()];
                for row in report.rows.iter().filter(|r| label(&r[column]) == name) {
                    values[position(row)] += row[spec.y[0]].as_f64().unwrap_or(0.0);
                }
                (name, values)
            })
            .collect(),
        None => spec
            .y
            .iter()
            .map(|y| {
                let mut values = vec![0.0; categories.len()];
                for row in &report.rows {
                    values[position(row)] += row[*y].as_f64().unwrap_or(0.0);
                }
                ((*y).to_owned(), values)
            })
            .collect(),
    };
    Series { categories, series }
}

/// A round step giving about five ticks up to `max`.
fn tick_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    step.max(1.0)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max - 1).collect();
        format!("{kept}…")
    }
}

/// The whole SVG document.
pub fn svg(report: &Report) -> String {
    let data = series(report);
    let spec = report.name.chart();
    let max = data
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(0.0, f64::max);
    let step = tick_step(max);
    let top_value = (max / step).ceil().max(1.0) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y_of = |v: f64| TOP + plot_h - v / top_value * plot_h;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<title>{}</title><rect width="100%" height="100%" fill="white"/>"#,
        escape(report.title)
    );
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>"#,
        escape(report.title)
    );
    let mut tick = 0.0;
    while tick <= top_value + step / 2.0 {
        let y = y_of(tick);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{tick}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            y + 4.0
        );
        tick += step;
    }
    let _ = writeln!(
        s,
        r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        TOP + plot_h / 2.0,
        escape(spec.y_label)
    );
    if data.categories.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#888">no data in this window</text>"##,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    let group_w = plot_w / data.categories.len().max(1) as f64;
    let bar_w = (group_w * 0.8) / data.series.len().max(1) as f64;
    for (i, category) in data.categories.iter().enumerate() {
        let x0 = LEFT + i as f64 * group_w + group_w * 0.1;
        for (k, (name, values)) in data.series.iter().enumerate() {
            let v = values[i];
            let y = y_of(v);
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {} = {v}</title></rect>"#,
                x0 + k as f64 * bar_w,
                bar_w.max(1.0),
                (TOP + plot_h - y).max(0.0),
                COLOURS[k % COLOURS.len()],
                escape(category),
                escape(name)
            );
        }
        let cx = x0 + group_w * 0.4;
        let cy = TOP + plot_h + 14.0;
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{cy:.1}" text-anchor="end" transform="rotate(-35 {cx:.1} {cy:.1})">{}</text>"#,
            escape(&short(category, 24))
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/>"##,
        TOP + plot_h,
        LEFT + plot_w,
        TOP + plot_h
    );
    for (k, (name, _)) in data.series.iter().enumerate() {
        let y = TOP + 10.0 + k as f64 * 18.0;
        let x = LEFT + plot_w + 16.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{y:.1}">{}</text>"#,
            y - 10.0,
            COLOURS[k % COLOURS.len()],
            x + 18.0,
            escape(&short(name, 20))
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::ReportName;
    use crate::output::Cell;
    use crate::params::Window;

    fn by_status() -> Report {
        let row = |hour: &str, status: &str, n: i64| {
            vec![
                Cell::Text(hour.into()),
                Cell::Text(status.into()),
                Cell::Integer(n),
            ]
        };
        Report::new(
            ReportName::OrdersByStatus,
            &Window::default(),
            vec![
                row("2026-11-22T09:00:00Z", "CANCELLED", 2),
                row("2026-11-22T09:00:00Z", "CONFIRMED", 5),
                row("2026-11-22T10:00:00Z", "CONFIRMED", 1),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_time_series_pivots_into_one_series_per_status_with_zero_for_missing_hours() {
        let s = series(&by_status());
        assert_eq!(
            s.categories,
            ["2026-11-22T09:00:00Z", "2026-11-22T10:00:00Z"]
        );
        assert_eq!(
            s.series,
            [
                ("CANCELLED".to_owned(), vec![2.0, 0.0]),
                ("CONFIRMED".to_owned(), vec![5.0, 1.0])
            ]
        );
    }

    #[test]
    fn the_svg_has_one_bar_per_category_and_series_and_escapes_labels() {
        let svg = svg(&by_status());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(
            svg.matches("<rect x=").count(),
            4 + 2,
            "4 bars + 2 legend keys"
        );
        assert!(svg.contains("2026-11-22T10:00:00Z: CONFIRMED = 1"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(tick_step(5.0), 1.0);
        assert_eq!(tick_step(37.0), 10.0);
        assert_eq!(tick_step(1234.0), 500.0);
    }
}
