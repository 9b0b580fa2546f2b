//! The W3C WebDriver commands the console's test needs
//! (https://www.w3.org/TR/webdriver2/), sent to Debian's chromedriver on
//! loopback, which drives a headless Chromium. Both are started here and
//! stopped by PID when the driver is dropped.

use crate::http::request_within;
use base64::Engine;
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// The key WebDriver sends for Enter, Tab and the arrows (section 17.4.2).
pub const ENTER: &str = "\u{E007}";
pub const TAB: &str = "\u{E004}";
pub const ARROW_RIGHT: &str = "\u{E014}";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

impl Browser {
    /// chromedriver on a free loopback port, and a headless Chromium with
    /// a fresh profile and every background connection off (the closed
    /// network here otherwise makes it retry connections in a storm).
    pub fn start() -> Browser {
        assert!(
            Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists(),
            "Chromium and chromedriver are not installed: `make browser-install` installs Debian's (make test does)"
        );
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            _profile: profile,
        };
        browser.wait("chromedriver ready", Duration::from_secs(30), |b| {
            let status = b.call("GET", "/status", None)?;
            status["ready"]
                .as_bool()
                .filter(|r| *r)
                .map(|_| ())
                .ok_or_else(|| status.to_string())
        });
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1400,1000".to_owned(),
            format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let session = browser
            .call_within(
                "POST",
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
                }}})),
                Duration::from_secs(90),
            )
            .unwrap_or_else(|e| panic!("no browser session: {e}"));
        browser.session = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser
    }

    fn call_within(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        wait: Duration,
    ) -> Result<Value, String> {
        let text = body.map(|b| b.to_string()).unwrap_or_default();
        let response = request_within(self.addr, method, path, &[], &text, wait)
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if response.status >= 400 {
            return Err(format!(
                "{method} {path}: {} {}",
                response.status, response.body
            ));
        }
        Ok(response.body["value"].clone())
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.call_within(method, path, body, Duration::from_secs(30))
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    pub fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({"url": url})))
            .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn find(&self, css: &str) -> Result<String, String> {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        found[ELEMENT]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("no element {css}"))
    }

    /// Clicks the element, as a person would: it must be visible and
    /// not covered.
    pub fn click(&self, css: &str) {
        self.wait(&format!("a click on {css}"), Duration::from_secs(20), |b| {
            let id = b.find(css)?;
            b.session_call("POST", &format!("/element/{id}/click"), Some(json!({})))
                .map(|_| ())
        });
    }

    /// Replaces an input's text.
    pub fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).unwrap_or_else(|e| panic!("{e}"));
        self.session_call("POST", &format!("/element/{id}/clear"), Some(json!({})))
            .unwrap_or_else(|e| panic!("{e}"));
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Types keys into whatever has the focus.
    pub fn keys(&self, keys: &str) {
        let active = self
            .session_call("GET", "/element/active", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let id = active[ELEMENT].as_str().expect("a focused element");
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({"text": keys})),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    pub fn text(&self, css: &str) -> Result<String, String> {
        let id = self.find(css)?;
        let text = self.session_call("GET", &format!("/element/{id}/text"), None)?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// Runs `script` (a function body) in the page with `args`.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn screenshot(&self, path: &Path) {
        let png = self
            .session_call("GET", "/screenshot", None)
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64"))
            .expect("a PNG");
        std::fs::write(path, bytes).expect("the screenshot written");
    }

    /// Polls `check` until it holds, or fails the test naming `what` and
    /// the last answer.
    pub fn wait<T>(
        &self,
        what: &str,
        limit: Duration,
        check: impl Fn(&Self) -> Result<T, String>,
    ) -> T {
        let deadline = Instant::now() + limit;
        loop {
            match check(self) {
                Ok(value) => return value,
                Err(last) if Instant::now() > deadline => {
                    panic!("{what}: not within {limit:?}; last: {last}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(150)),
            }
        }
    }
}

/// The processes below `pid` (its children, theirs, ...), read from /proc.
fn descendants(pid: u32) -> Vec<u32> {
    let mut parents = std::collections::HashMap::<u32, Vec<u32>>::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces.
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.entry(ppid).or_default().push(child);
        }
    }
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for &c in parents.get(&p).into_iter().flatten() {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

impl Drop for Browser {
    /// Ends the session (chromedriver stops its Chromium), then stops
    /// chromedriver by its PID; a Chromium the session's end left running
    /// (a test that failed mid-way, a driver that did not answer) is
    /// stopped by its PID too.
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let left = descendants(self.driver.id());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        for pid in left {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
        }
    }
}
