//! `GET /console/api/stream`: server-sent events of the bus's new events
//! (`event: events`, a JSON array, `id:` the archive cursor, so a browser
//! that reconnects resumes where it was with `Last-Event-ID`) and of the
//! queues' counts whenever they change (`event: queues`).

use crate::request::{ApiError, BATCH, FEED_PARAMS, FeedQuery, number, query};
use crate::{Console, feed, queues};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::time::{Duration, Instant};

/// How often the archive and the queues are looked at.
const TICK: Duration = Duration::from_millis(250);
/// A stream ends after this long and the browser reconnects (EventSource
/// does so by itself, with the cursor): no connection lives forever.
const LIFETIME: Duration = Duration::from_secs(60);
const RECONNECT: Duration = Duration::from_millis(250);

struct Follow {
    console: Console,
    filter: feed::Filter,
    after: Option<i64>,
    last_queues: String,
    pending: VecDeque<Event>,
    started: Instant,
    first: bool,
    closed: tokio::sync::watch::Receiver<bool>,
}

impl Follow {
    /// Reads what is new; errors are sent to the page, which shows them.
    async fn look(&mut self) {
        let Some(saga) = self.console.saga() else {
            return;
        };
        if self.first {
            // The stream ends after LIFETIME: the browser is to reconnect
            // at once, not after its default of a few seconds.
            self.pending.push_back(Event::default().retry(RECONNECT));
        }
        let (s, filter, after) = (saga.clone(), self.filter.clone(), self.after);
        let read = tokio::task::spawn_blocking(move || {
            feed::feed(&s.bus, &s.wiring, after, BATCH, &filter)
        })
        .await;
        match read {
            Ok(Ok(feed)) => {
                self.after = feed.cursor;
                if !feed.events.is_empty() || self.first {
                    let mut event = Event::default().event("events");
                    if let Some(cursor) = feed.cursor {
                        event = event.id(cursor.to_string());
                    }
                    if let Ok(event) = event.json_data(&feed.events) {
                        self.pending.push_back(event);
                    }
                }
            }
            Ok(Err(error)) => self.failed(error.to_string()),
            Err(error) => self.failed(error.to_string()),
        }
        match queues::stats(&saga.queues, &saga.wiring, &saga.services.dead_letters).await {
            Ok(stats) => {
                let text = serde_json::to_string(&stats).unwrap_or_default();
                if text != self.last_queues {
                    self.pending
                        .push_back(Event::default().event("queues").data(&text));
                    self.last_queues = text;
                }
            }
            Err(error) => self.failed(error.to_string()),
        }
        self.first = false;
    }

    fn failed(&mut self, message: String) {
        self.pending
            .push_back(Event::default().event("failure").data(message));
    }
}

pub(crate) async fn stream(
    State(console): State<Console>,
    headers: HeaderMap,
    q: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    console.running()?;
    let q: FeedQuery = query(q, FEED_PARAMS)?;
    let resumed = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let after = match resumed {
        Some(id) => number::<i64>("Last-Event-ID", Some(&id))?,
        None => number::<i64>("after", q.after.as_deref())?,
    };
    let follow = Follow {
        closed: console.closed(),
        console,
        filter: q.filter,
        after,
        last_queues: String::new(),
        pending: VecDeque::new(),
        started: Instant::now(),
        first: true,
    };
    let events = futures_util::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(event) = f.pending.pop_front() {
                return Some((Ok::<_, Infallible>(event), f));
            }
            if *f.closed.borrow() || f.started.elapsed() > LIFETIME {
                return None;
            }
            if !f.first {
                tokio::select! {
                    _ = tokio::time::sleep(TICK) => {}
                    _ = f.closed.changed() => return None,
                }
            }
            f.look().await;
        }
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}
