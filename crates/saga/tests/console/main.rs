//! The console `saga run` serves, in a real browser: Debian's Chromium,
//! headless, driven over WebDriver by chromedriver, against a real
//! `saga run` on loopback. A person places an order from the console, sees
//! its events arrive live, opens its trace, sends a poison event and
//! redrives it from the dead-letter view; every control is reachable from
//! the keyboard and every text has readable contrast. Screenshots of each
//! view go to `target/console-screenshots/`.

mod api;
#[path = "../support/http.rs"]
mod http;
#[path = "../support/server.rs"]
mod server;
mod webdriver;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use webdriver::{ARROW_RIGHT, Browser, ENTER, TAB};

const LIVE: Duration = Duration::from_secs(30);

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("console-screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

/// `saga run` on a fresh database, and the console URL it printed.
fn saga() -> (tempfile::TempDir, server::Server, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = server::start(&dir.path().join("saga.db"));
    let url = format!("http://{}/console/", server.addr);
    assert!(
        server.log.contains(&format!("console: {url}")),
        "saga run prints the console's URL before serving:\n{}",
        server.log
    );
    (dir, server, url)
}

/// `name=N` from saga run's serving line.
fn logged_count(log: &str, name: &str) -> u64 {
    log.split(&format!("{name}="))
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name}= in {log}"))
}

fn strings(value: Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_person_places_an_order_watches_it_live_traces_it_and_redrives_a_poison_event_from_the_console()
{
    let (_dir, server, url) = saga();
    let shots = screenshots();
    let browser = Browser::start();
    browser.goto(&url);
    browser.wait("the live stream connected", LIVE, |b| {
        let status = b.text("#status")?;
        (status == "live").then_some(()).ok_or(status)
    });

    // Place an order from the console's form (POST /orders).
    browser.click("#tab-send");
    browser.click("#place-order");
    let order_id = browser.wait("the order placed", LIVE, |b| {
        b.text("#placed-order-id")
            .and_then(|id| if id.len() == 36 { Ok(id) } else { Err(id) })
    });

    // Its events arrive in the live view without a reload, each with the
    // rules and targets it matched.
    browser.click("#tab-events");
    let rows_of_order = "return [...document.querySelectorAll('#events-table tbody tr')].filter(r => r.dataset.order === arguments[0]).map(r => r.dataset.detailType)";
    let seen = browser.wait(
        "the order's events, live, up to Order Confirmed",
        LIVE,
        |b| {
            let types = strings(b.script(rows_of_order, json!([order_id])));
            if types.iter().any(|t| t == "Order Confirmed") {
                Ok(types)
            } else {
                Err(format!("{types:?}"))
            }
        },
    );
    for step in [
        "Order Placed",
        "Inventory Reserved",
        "Payment Authorized",
        "Shipment Scheduled",
    ] {
        assert!(
            seen.iter().any(|t| t == step),
            "{step} among the live events: {seen:?}"
        );
    }
    // Filtered by detail type and order id (on the server; the stream
    // starts again with only what the filter keeps).
    browser.fill("#event-filter [name=detailType]", "Order Confirmed");
    browser.fill("#event-filter [name=orderId]", &order_id);
    browser.click("#event-filter button[type=submit]");
    let shown = "return [...document.querySelectorAll('#events-table tbody tr')].map(r => `${r.dataset.order} ${r.dataset.detailType}`)";
    browser.wait("only the order's Order Confirmed shown", LIVE, |b| {
        let rows = strings(b.script(shown, json!([])));
        if rows == [format!("{order_id} Order Confirmed")] {
            Ok(())
        } else {
            Err(format!("{rows:?}"))
        }
    });
    browser.click(&format!(
        "#events-table tr[data-order='{order_id}'][data-detail-type='Order Confirmed'] button"
    ));
    let detail = browser.text("#event-detail").expect("the event's detail");
    assert!(
        detail.contains("Matched rules and targets")
            && detail.contains("rule OrdersRule → queue OrdersQueue"),
        "the event opens to the rules and targets it matched: {detail}"
    );
    let json_text = browser.text("#event-json").expect("the event's JSON");
    let event: Value = serde_json::from_str(&json_text).expect("the event's JSON parses");
    assert_eq!(event["detail-type"], "Order Confirmed");
    assert_eq!(event["detail"]["data"]["orderId"], order_id.as_str());
    browser.screenshot(&shots.join("events.png"));
    browser.click("#event-filter button[type=reset]");

    // Its trace: the timeline and the sequence diagram saga trace prints.
    browser.click("#trace-from-event");
    let timeline = browser.wait("the order's trace", LIVE, |b| {
        let t = b.text("#timeline")?;
        if t.contains("Order Confirmed") {
            Ok(t)
        } else {
            Err(t)
        }
    });
    assert!(
        timeline.contains("Order Placed") && timeline.contains("Payment Authorized"),
        "{timeline}"
    );
    assert_eq!(browser.text("#order-status").expect("status"), "CONFIRMED");
    let arrows = browser.script(
        "return document.querySelectorAll('#sequence .msg').length",
        json!([]),
    );
    assert!(
        arrows.as_u64().unwrap_or(0) >= 5,
        "the sequence diagram draws each delivery: {arrows}"
    );
    browser.screenshot(&shots.join("order-trace.png"));

    // The wiring, drawn from the template: as many rules, queues and
    // functions as saga run reports it wired.
    browser.click("#tab-wiring");
    let count = |kind: &str| {
        browser
            .script(
                "return document.querySelectorAll(`#wiring-svg .node.${arguments[0]}`).length",
                json!([kind]),
            )
            .as_u64()
            .unwrap_or(0)
    };
    browser.wait("the wiring diagram", LIVE, |_| {
        if count("rule") > 0 {
            Ok(())
        } else {
            Err("no rule drawn".into())
        }
    });
    assert_eq!(count("rule"), logged_count(&server.log, "rules"));
    assert_eq!(
        count("queue") + count("dlq"),
        logged_count(&server.log, "queues")
    );
    assert_eq!(count("bus"), 1);
    browser.click("#wiring-svg .node.rule");
    let rule = browser.text("#wiring-detail").expect("the rule's detail");
    assert!(
        rule.contains("Event pattern") && rule.contains("Targets"),
        "{rule}"
    );
    browser.screenshot(&shots.join("wiring.png"));

    // A poison event, sent from the console's "Send events" form (the
    // README's put-events example: its order is not in the orders table, so
    // its Shipment Scheduled fails in the orders consumer until its DLQ).
    browser.click("#tab-send");
    browser.wait("the send form filled with the example", LIVE, |b| {
        let source = b.script(
            "return document.querySelector('#send-source').value",
            json!([]),
        );
        if source == "shop.orders" {
            Ok(())
        } else {
            Err(source.to_string())
        }
    });
    browser.click("#send-event");
    let sent = browser.wait("PutEvents answered", LIVE, |b| {
        let t = b.text("#send-result")?;
        if t.contains("FailedEntryCount") {
            Ok(t)
        } else {
            Err(t)
        }
    });
    assert!(
        sent.contains("FailedEntryCount 0") && sent.contains("EventId"),
        "{sent}"
    );
    browser.screenshot(&shots.join("send.png"));

    // The dead letter shows in the queues view, live, and opens to its body,
    // error and attempts.
    browser.click("#tab-queues");
    browser.wait("the dead letter on OrdersDLQ", LIVE, |b| {
        b.find(".letters-queue[data-queue='OrdersDLQ'] button.letter")
            .map(|_| ())
    });
    let dead = browser.wait("OrdersDLQ's dead-letter count, live", LIVE, |b| {
        let n = b.script("return document.querySelector(\"#queues-table tr[data-queue='OrdersDLQ'] td:nth-child(6)\")?.textContent", json!([]));
        let n: u64 = n.as_str().and_then(|t| t.parse().ok()).unwrap_or(0);
        if n > 0 { Ok(n) } else { Err(n.to_string()) }
    });
    browser.click(".letters-queue[data-queue='OrdersDLQ'] button.letter");
    let body: Value =
        serde_json::from_str(&browser.text("#letter-body").expect("the letter's body"))
            .expect("the dead letter's body is the event");
    assert_eq!(body["detail-type"], "Shipment Scheduled");
    let poisoned_event = body["detail"]["metadata"]["eventId"]
        .as_str()
        .expect("its event id")
        .to_owned();
    let attempts: u32 = browser
        .text("#letter-attempts")
        .expect("attempts")
        .parse()
        .expect("a number");
    assert!(
        attempts >= 5,
        "moved after the template's maxReceiveCount (5) receives: {attempts}"
    );
    let error = browser.text("#letter-error").expect("the error");
    assert!(
        !error.is_empty() && error != "unknown",
        "the consumer's error is shown: {error}"
    );
    browser.screenshot(&shots.join("dead-letters.png"));

    // Redrive from the dead-letter view: the letters go back on the bus with
    // their event id (the live view shows the event once more), and leave
    // the letters waiting.
    let copies = "return document.querySelectorAll(`#events-table tr[data-event-id='${arguments[0]}'][data-detail-type='Shipment Scheduled']`).length";
    let before = browser
        .script(copies, json!([poisoned_event]))
        .as_u64()
        .unwrap_or(0);
    assert!(
        before > 0,
        "the poisoned event was seen live before it failed"
    );
    let waiting = browser
        .script("return document.querySelectorAll(\".letters-queue[data-queue='OrdersDLQ'] button.letter\").length", json!([]))
        .as_u64()
        .unwrap_or(0);
    browser.click(".letters-queue[data-queue='OrdersDLQ'] button.redrive");
    let result = browser.wait("the redrive's result", LIVE, |b| {
        let t = b.text("#redrive-result")?;
        if t.contains("redriven") {
            Ok(t)
        } else {
            Err(t)
        }
    });
    // Every letter shown was redriven (one more may have arrived since).
    let redriven: u64 = result
        .strip_prefix("OrdersDLQ: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the redrive's result names its count: {result}"));
    assert!(
        redriven >= waiting.max(1) && result.ends_with("redriven"),
        "{result} ({waiting} letters were shown, {dead} counted; none left in place)"
    );
    browser.wait("the redriven event back on the bus", LIVE, |b| {
        let now = b
            .script(copies, json!([poisoned_event]))
            .as_u64()
            .unwrap_or(0);
        if now > before {
            Ok(())
        } else {
            Err(format!("{now} copies, {before} before"))
        }
    });

    // The five reports, as charts, with their window.
    browser.click("#tab-reports");
    browser.wait("the five charts drawn", LIVE, |b| {
        let n = b.script("return [...document.querySelectorAll('#reports img.chart')].filter(i => i.complete && i.naturalWidth > 0).length", json!([]));
        if n.as_u64() == Some(5) { Ok(()) } else { Err(n.to_string()) }
    });
    let windows = strings(browser.script(
        "return [...document.querySelectorAll('#reports .window')].map(w => w.textContent)",
        json!([]),
    ));
    assert_eq!(windows.len(), 5, "{windows:?}");
    assert!(
        windows.iter().all(|w| w.starts_with("window: ")),
        "{windows:?}"
    );
    browser.screenshot(&shots.join("reports.png"));

    // The sandbox: TestEventPattern on this port, and the bus's rules.
    browser.click("#tab-send");
    browser.wait("the sandbox filled with the example", LIVE, |b| {
        let event = b.script(
            "return document.querySelector('#sandbox-event').value",
            json!([]),
        );
        if event.as_str().is_some_and(|e| e.contains("Order Placed")) {
            Ok(())
        } else {
            Err(event.to_string())
        }
    });
    browser.click("#sandbox-test");
    let verdict = browser.wait("the sandbox's verdict", LIVE, |b| {
        let t = b.text("#sandbox-result")?;
        if t.contains("Rules of this bus") {
            Ok(t)
        } else {
            Err(t)
        }
    });
    assert!(
        verdict.contains("The pattern matches the event.")
            && verdict.contains("InventoryRule → InventoryQueue"),
        "{verdict}"
    );
    browser.fill("#sandbox-pattern", r#"{"source": ["shop.payment"]}"#);
    browser.click("#sandbox-test");
    browser.wait("the sandbox's second verdict", LIVE, |b| {
        let t = b.text("#sandbox-verdict")?;
        if t == "The pattern does not match the event." {
            Ok(())
        } else {
            Err(t)
        }
    });
    browser.fill("#sandbox-pattern", r#"{"source": "shop.payment"}"#);
    browser.click("#sandbox-test");
    browser.wait("the sandbox names what is wrong with a refused pattern", LIVE, |b| {
        let t = b.text("#sandbox-verdict")?;
        if t == "400: Event pattern is not valid. Reason: `source`: must be an object or an array" { Ok(()) } else { Err(t) }
    });
    browser.screenshot(&shots.join("sandbox.png"));
    drop(browser);
    server.stop();
}

/// WCAG 2.1 contrast (https://www.w3.org/TR/WCAG21/#contrast-minimum) of
/// every visible text of the current view against the background it sits
/// on: 4.5:1, or 3:1 for large text. Returns the failures.
const CONTRAST: &str = r#"
const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = (e) => {
  for (; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
const bad = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const e = n.parentElement;
  if (!n.textContent.trim() || !e || e.closest('svg') || !e.getClientRects().length) continue;
  const style = getComputedStyle(e);
  if (style.visibility === 'hidden' || e.closest('[hidden]')) continue;
  const [a, b] = [lum(rgb(style.color)), lum(background(e))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
  const large = size >= 24 || (bold && size >= 18.66);
  if (ratio < (large ? 3 : 4.5)) bad.push(`${ratio.toFixed(2)}: "${n.textContent.trim().slice(0, 40)}" (${style.color} on ${background(e)})`);
}
return bad;
"#;

#[test]
fn every_view_is_reached_and_used_from_the_keyboard_and_its_text_has_readable_contrast() {
    let (_dir, server, url) = saga();
    let browser = Browser::start();
    browser.goto(&url);
    browser.wait("the live stream connected", LIVE, |b| {
        let status = b.text("#status")?;
        (status == "live").then_some(()).ok_or(status)
    });
    // Tab from the page's start: the skip link, then the selected tab.
    browser.script("document.activeElement.blur(); window.focus()", json!([]));
    browser.keys(TAB);
    browser.keys(TAB);
    let focused = |b: &Browser| b.script("return document.activeElement.id", json!([]));
    assert_eq!(focused(&browser), "tab-events", "Tab reaches the tabs");
    // The arrow keys walk the tabs; each view shows and its controls are
    // in the tab order, and every text is readable.
    let views = ["events", "wiring", "queues", "orders", "reports", "send"];
    for (i, view) in views.iter().enumerate() {
        if i > 0 {
            browser.keys(ARROW_RIGHT);
        }
        assert_eq!(focused(&browser), format!("tab-{view}"));
        let shown = browser.script(
            &format!("return !document.querySelector('#view-{view}').hidden"),
            json!([]),
        );
        assert_eq!(shown, true, "{view} shows");
        // Every visible control of the view can take the focus by Tab.
        let unreachable = strings(browser.script(
            &format!("return [...document.querySelectorAll('#view-{view} button, #view-{view} input, #view-{view} textarea, #view-{view} a, #view-{view} [tabindex]')].filter(e => e.getClientRects().length && e.tabIndex < 0).map(e => e.outerHTML.slice(0, 80))"),
            json!([]),
        ));
        assert!(
            unreachable.is_empty(),
            "{view}: controls out of the tab order: {unreachable:?}"
        );
        if *view == "wiring" {
            browser.wait("the wiring drawn", LIVE, |b| {
                b.find("#wiring-svg .node.rule").map(|_| ())
            });
        }
        let bad = strings(browser.script(CONTRAST, json!([])));
        assert!(
            bad.is_empty(),
            "{view}: text below WCAG AA contrast: {bad:?}"
        );
    }
    // From the keyboard alone: Tab from the Send tab into its first field,
    // then the order placed with Enter on its button.
    browser.keys(TAB);
    assert_eq!(focused(&browser), "order-key");
    browser.keys(TAB);
    browser.keys(TAB);
    assert_eq!(focused(&browser), "place-order");
    browser.keys(ENTER);
    browser.wait("the order placed from the keyboard", LIVE, |b| {
        b.text("#placed-order-id")
            .and_then(|id| if id.len() == 36 { Ok(()) } else { Err(id) })
    });
    // A wiring box opens with Enter.
    browser.click("#tab-wiring");
    browser.script(
        "document.querySelector('#wiring-svg .node.queue').focus()",
        json!([]),
    );
    browser.keys(ENTER);
    let detail = browser.text("#wiring-detail").expect("detail");
    assert!(detail.contains("Visibility timeout"), "{detail}");
    drop(browser);
    server.stop();
}
