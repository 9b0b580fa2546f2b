//! The reports function's `lambda_http` shell: an API Gateway HTTP API
//! request in, the [`crate::api::serve`] response out.

use crate::api::{self, Source};
use lambda_http::{Body, Request, Response};
use platform::http;

pub async fn serve<S: Source>(source: &S, request: Request) -> Response<Body> {
    http::lambda::response(api::serve(source, http::lambda::request(request)).await)
}
