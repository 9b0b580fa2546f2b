//! The `lambda_http` shell: an API Gateway HTTP API request, as
//! `lambda_http` hands it to the function, into the API's
//! [`super::Request`], and the API's [`super::Response`] back. The shape of
//! aws-lambda-rust-runtime's `examples/http-axum`: the function is a
//! service over `http` types, and `lambda_http::run` adapts it to the
//! Lambda events.

use super::{Bytes, Request, Response};
use lambda_http::{Body, RequestExt};

/// The request as the API reads it: API Gateway's raw path (what the
/// client sent, whatever the stage), the raw query string, the headers and
/// the body's bytes.
pub fn request(request: lambda_http::Request) -> Request {
    let raw_path = request.raw_http_path().to_owned();
    let (mut parts, body) = request.into_parts();
    if !raw_path.is_empty() {
        let target = match parts.uri.query() {
            Some(query) => format!("{raw_path}?{query}"),
            None => raw_path,
        };
        if let Ok(uri) = target.parse() {
            parts.uri = uri;
        }
    }
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    http::Request::from_parts(parts, body)
}

/// The API's answer for `lambda_http`: a UTF-8 body as text (API Gateway
/// passes it as it is), anything else as binary (base64 on the wire,
/// decoded by API Gateway).
pub fn response(response: Response) -> lambda_http::Response<Body> {
    let (parts, body) = response.into_parts();
    let body = match String::from_utf8(body.to_vec()) {
        Ok(text) => Body::Text(text),
        Err(e) => Body::Binary(e.into_bytes()),
    };
    lambda_http::Response::from_parts(parts, body)
}
