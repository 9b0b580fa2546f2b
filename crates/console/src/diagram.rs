//! The template's wiring drawn as an SVG: the bus, its rules, the queues
//! they target, each queue's DLQ, and the functions reading the queues,
//! left to right, every edge a line the template declares.

use runtime::Saga as Wiring;
use std::collections::BTreeMap;
use std::fmt::Write;

const COLUMN_WIDTH: f64 = 210.0;
const NODE_WIDTH: f64 = 170.0;
const NODE_HEIGHT: f64 = 30.0;
const ROW: f64 = 40.0;
const TOP: f64 = 40.0;
const COLUMNS: [&str; 5] = ["bus", "rules", "queues", "dead-letter queues", "functions"];

/// One box of the diagram.
struct Node {
    column: usize,
    row: usize,
    kind: &'static str,
    name: String,
    /// Shown as the node's tooltip and in the console's detail panel.
    detail: String,
}

/// Escapes text for SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Places each thing once, in the order it is first met, per column.
#[derive(Default)]
struct Layout {
    nodes: Vec<Node>,
    index: BTreeMap<(usize, String), usize>,
    rows: [usize; 5],
}

impl Layout {
    fn node(&mut self, column: usize, kind: &'static str, name: &str, detail: String) -> usize {
        if let Some(i) = self.index.get(&(column, name.to_owned())) {
            return *i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            column,
            row: self.rows[column],
            kind,
            name: name.to_owned(),
            detail,
        });
        self.rows[column] += 1;
        self.index.insert((column, name.to_owned()), i);
        i
    }

    fn centre(&self, i: usize) -> (f64, f64) {
        let n = &self.nodes[i];
        (
            n.column as f64 * COLUMN_WIDTH + 10.0 + NODE_WIDTH / 2.0,
            TOP + n.row as f64 * ROW + NODE_HEIGHT / 2.0,
        )
    }
}

/// The wiring as an inline SVG document. Every node is focusable
/// (`tabindex="0"`) and carries `data-kind` and `data-name`, so the
/// console opens its details from the keyboard as from the mouse.
pub fn svg(wiring: &Wiring) -> String {
    let mut layout = Layout::default();
    let mut edges: Vec<(usize, usize, String)> = Vec::new();
    let bus = layout.node(
        0,
        "bus",
        &wiring.resources.bus_name,
        match &wiring.resources.archive {
            Some(a) => format!(
                "event bus {}, archived by {}",
                wiring.resources.bus_name, a.name
            ),
            None => format!("event bus {}", wiring.resources.bus_name),
        },
    );
    let queue_detail = |name: &str| {
        let spec = wiring.resources.queues.iter().find(|q| q.name == name);
        match spec {
            Some(q) => {
                let mut d = format!(
                    "queue {}, visibility timeout {} s",
                    q.name,
                    q.visibility_timeout.as_secs()
                );
                if let Some(r) = &q.redrive {
                    let _ = write!(
                        d,
                        ", to {} after {} receives",
                        r.dead_letter_queue, r.max_receive_count
                    );
                }
                d
            }
            None => format!("queue {name}"),
        }
    };
    let mut queue_nodes = Vec::new();
    for rule in &wiring.resources.rules {
        let state = if rule.enabled { "" } else { " (disabled)" };
        let r = layout.node(
            1,
            "rule",
            &rule.name,
            format!("rule {}{state}: {}", rule.name, rule.event_pattern),
        );
        edges.push((bus, r, String::new()));
        for target in &rule.targets {
            let q = layout.node(2, "queue", &target.queue, queue_detail(&target.queue));
            edges.push((r, q, target.id.clone()));
            queue_nodes.push(target.queue.clone());
        }
    }
    // Queues no rule targets (the DLQs, a queue fed by SendMessage only).
    let dlqs = crate::dead_letters::dead_letter_queues(wiring);
    for q in &wiring.resources.queues {
        if !dlqs.contains(q.name.as_str()) && !queue_nodes.contains(&q.name) {
            layout.node(2, "queue", &q.name, queue_detail(&q.name));
            queue_nodes.push(q.name.clone());
        }
    }
    for name in &queue_nodes {
        let Some(spec) = wiring.resources.queues.iter().find(|q| &q.name == name) else {
            continue;
        };
        if let Some(r) = &spec.redrive {
            let from = layout.index[&(2, name.clone())];
            let d = layout.node(
                3,
                "dlq",
                &r.dead_letter_queue,
                queue_detail(&r.dead_letter_queue),
            );
            edges.push((from, d, format!("after {}", r.max_receive_count)));
        }
    }
    for c in &wiring.wiring.consumers {
        let column = if dlqs.contains(c.queue.as_str()) {
            3
        } else {
            2
        };
        let kind = if column == 3 { "dlq" } else { "queue" };
        let from = layout.node(column, kind, &c.queue, queue_detail(&c.queue));
        let f = layout.node(
            4,
            "function",
            &c.function,
            format!("function {} ({:?})", c.function, c.handler),
        );
        edges.push((from, f, format!("batch {}", c.batch_size)));
    }
    let rows = layout.rows.iter().copied().max().unwrap_or(1).max(1);
    let width = COLUMNS.len() as f64 * COLUMN_WIDTH;
    let height = TOP + rows as f64 * ROW + 10.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="wiring" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="The wiring of bus {}: {} rules, {} queues, {} functions">"#,
        escape(&wiring.resources.bus_name),
        wiring.resources.rules.len(),
        wiring.resources.queues.len(),
        wiring.wiring.consumers.len()
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4a5568"/></marker></defs>"##);
    for (i, title) in COLUMNS.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text class="column" x="{}" y="20">{title}</text>"#,
            i as f64 * COLUMN_WIDTH + 10.0
        );
    }
    for (from, to, label) in &edges {
        let (x1, y1) = layout.centre(*from);
        let (x2, y2) = layout.centre(*to);
        let (x1, x2) = (x1 + NODE_WIDTH / 2.0, x2 - NODE_WIDTH / 2.0);
        let mid = (x1 + x2) / 2.0;
        let _ = write!(
            out,
            r#"<path class="edge" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" marker-end="url(#arrow)"><title>{}</title></path>"#,
            escape(label)
        );
    }
    for (i, n) in layout.nodes.iter().enumerate() {
        let (cx, cy) = layout.centre(i);
        let (x, y) = (cx - NODE_WIDTH / 2.0, cy - NODE_HEIGHT / 2.0);
        // Long names are cut to fit the box; the tooltip has them whole.
        let shown: String = if n.name.chars().count() > 22 {
            n.name.chars().take(21).chain(['…']).collect()
        } else {
            n.name.clone()
        };
        let _ = write!(
            out,
            r#"<g class="node {kind}" tabindex="0" role="button" data-kind="{kind}" data-name="{name}" aria-label="{label}"><title>{label}</title><rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="5"/><text x="{cx}" y="{ty}">{text}</text></g>"#,
            kind = n.kind,
            name = escape(&n.name),
            label = escape(&n.detail),
            ty = cy + 5.0,
            text = escape(&shown),
        );
    }
    out.push_str("</svg>");
    out
}
