//! The reports function's adapter: an API Gateway HTTP API request in, the
//! [`crate::api::route`] response out.

use crate::api::{self, Source};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};

pub async fn serve<S: Source>(source: &S, request: Request) -> Response<Body> {
    let path = match request.raw_http_path() {
        "" => request.uri().path().to_owned(),
        raw => raw.to_owned(),
    };
    // API Gateway has decoded the query string already.
    let params = request.query_string_parameters();
    let query: Vec<(String, String)> = params
        .iter()
        .flat_map(|(k, _)| {
            params
                .all(k)
                .unwrap_or_default()
                .into_iter()
                .map(move |v| (k.to_owned(), v.to_owned()))
        })
        .collect();
    let response = api::route(source, request.method().as_str(), &path, Ok(query)).await;
    let mut http = Response::new(Body::Text(response.body));
    *http.status_mut() =
        StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(response.content_type),
    );
    if response.status == 503 {
        http.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    http
}
