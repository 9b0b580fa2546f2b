//! `GET /reports/{name}` over `http` types ([`serve`]): the axum server of
//! the embedded and hybrid backends and the reports Lambda
//! ([`crate::lambda::serve`]) call it with their own [`Source`] and only
//! translate requests and responses. Error bodies and `Retry-After` are
//! [`platform::http`]'s.
//!
//! - `GET /reports/{name}?from=T&to=T&format=json|csv|table|svg`: 200 with
//!   the report (JSON by default). `{name}.svg`, `.csv` and `.json` pick
//!   the format too.
//! - 400 `unknown_report` or `invalid_parameter` naming the problem, for an
//!   unknown report, an unknown or repeated query parameter, a bad time or
//!   format; 405 for another method; 503 (retryable, with `Retry-After`)
//!   or 500 otherwise.

use crate::definition::ReportName;
use crate::error::ReportError;
use crate::output::{Format, Report};
use crate::params::{Window, percent_decode};
use platform::Retryable;
use platform::http::{self as web, StatusCode};
use std::future::Future;

/// The route this API serves (the template's `ReportsFunction` event).
pub const ROUTES: [(&str, &str); 1] = [("GET", "/reports/{name}")];

/// Where reports come from: the local archive or Athena.
pub trait Source {
    fn run(
        &self,
        name: ReportName,
        window: &Window,
    ) -> impl Future<Output = Result<Report, ReportError>> + Send;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Response {
    fn error(status: u16, code: &str, message: String) -> Self {
        Self::json(status, &web::error_body(code, message, None))
    }

    fn json(status: u16, body: &serde_json::Value) -> Self {
        Self {
            status,
            content_type: web::JSON,
            body: body.to_string(),
        }
    }

    /// The answer on the wire.
    pub fn into_http(self) -> web::Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        web::respond(status, self.content_type, self.body)
    }

    fn from_error(e: &ReportError) -> Self {
        match e {
            ReportError::UnknownReport { .. } => Self::error(400, "unknown_report", e.to_string()),
            ReportError::BadParameter { .. } => {
                Self::error(400, "invalid_parameter", e.to_string())
            }
            ReportError::TimeLimit { .. } => Self::error(503, "time_limit", e.to_string()),
            e if e.is_retryable() => Self::json(
                503,
                &web::retryable_error_body("unavailable", e.to_string()),
            ),
            e => Self::error(500, "report_failed", e.to_string()),
        }
    }
}

/// Splits a raw query string (`a=1&b=2`) into decoded pairs.
pub fn parse_query(raw: Option<&str>) -> Result<Vec<(String, String)>, ReportError> {
    raw.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = percent_decode("query", k)?;
            let v = percent_decode(&k, v)?;
            Ok((k, v))
        })
        .collect()
}

/// What a request asks for, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub name: ReportName,
    pub window: Window,
    pub format: Format,
}

/// `name` is the last path segment (`orders-by-status`, `revenue.svg`).
pub fn parse_request(name: &str, query: &[(String, String)]) -> Result<Request, ReportError> {
    let (name, suffix) = match name.rsplit_once('.') {
        Some((n, ext)) if ["svg", "csv", "json"].contains(&ext) => (n, Some(ext)),
        _ => (name, None),
    };
    let name = ReportName::parse(name)?;
    let mut from = None;
    let mut to = None;
    let mut format = None;
    for (key, value) in query {
        let slot = match key.as_str() {
            "from" => &mut from,
            "to" => &mut to,
            "format" => &mut format,
            other => {
                return Err(ReportError::bad(
                    other,
                    "is not a parameter of reports (from, to, format)",
                ));
            }
        };
        if slot.replace(value.as_str()).is_some() {
            return Err(ReportError::bad(key, "is given more than once"));
        }
    }
    let format = match (format, suffix) {
        (Some(f), Some(ext)) if f != ext => {
            return Err(ReportError::bad(
                "format",
                format!("{f} contradicts the .{ext} in the path"),
            ));
        }
        (Some(f), _) | (None, Some(f)) => Format::parse(f)?,
        (None, None) => Format::Json,
    };
    Ok(Request {
        name,
        window: Window::new(from, to)?,
        format,
    })
}

/// Serves one request: the reports API over `http` types.
pub async fn serve<S: Source>(source: &S, request: web::Request) -> web::Response {
    if request.body().len() > web::MAX_BODY_BYTES {
        return web::payload_too_large();
    }
    let query = parse_query(request.uri().query());
    route(
        source,
        request.method().as_str(),
        request.uri().path(),
        query,
    )
    .await
    .into_http()
}

/// Serves one request. `path` is the request path, query string excluded.
pub async fn route<S: Source>(
    source: &S,
    method: &str,
    path: &str,
    query: Result<Vec<(String, String)>, ReportError>,
) -> Response {
    if let Err(refused) = web::find_route(&ROUTES, method, path) {
        return Response::json(refused.status.as_u16(), &refused.body);
    }
    let name = path
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let request = match query.and_then(|q| parse_request(name, &q)) {
        Ok(r) => r,
        Err(e) => return Response::from_error(&e),
    };
    match source.run(request.name, &request.window).await {
        Ok(report) => Response {
            status: 200,
            content_type: request.format.content_type(),
            body: report.render(request.format),
        },
        Err(e) => {
            tracing::error!(report = request.name.as_str(), error = %e, "report failed");
            Response::from_error(&e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_format_comes_from_the_suffix_or_the_query_but_they_must_agree() {
        let r = parse_request("revenue.svg", &[]).unwrap();
        assert_eq!((r.name, r.format), (ReportName::Revenue, Format::Svg));
        let r = parse_request("revenue", &q(&[("format", "csv")])).unwrap();
        assert_eq!(r.format, Format::Csv);
        assert_eq!(parse_request("revenue", &[]).unwrap().format, Format::Json);
        let e = parse_request("revenue.svg", &q(&[("format", "csv")])).unwrap_err();
        assert!(e.to_string().contains("contradicts"), "{e}");
    }

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let e = parse_request("revenue", &q(&[("since", "x")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameter since: is not a parameter of reports (from, to, format)"
        );
        let e = parse_request(
            "revenue",
            &q(&[("from", "2026-11-22"), ("from", "2026-11-23")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("more than once"), "{e}");
    }

    #[test]
    fn a_raw_query_string_is_split_and_decoded() {
        assert_eq!(
            parse_query(Some("from=2026-11-22T09%3A00%3A00Z&format=csv")).unwrap(),
            q(&[("from", "2026-11-22T09:00:00Z"), ("format", "csv")])
        );
        assert!(parse_query(None).unwrap().is_empty());
    }
}
