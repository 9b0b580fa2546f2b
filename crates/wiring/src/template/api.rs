//! `AWS::Serverless::HttpApi`. The local runtime serves the routes of the
//! functions' `HttpApi` events, without authentication; from the API itself
//! it reads what it must check rather than silently ignore: the
//! authentication the deployed API requires (so `saga run` can say it does
//! not enforce it), and the paths its OpenAPI `DefinitionBody` declares (each
//! must be one of those routes, or the local runtime would not serve it).

use serde_yaml_ng::{Mapping, Value};

use super::error::TemplateError;
use super::resource::Resource;
use super::value::Context;

pub(crate) const RESOURCE_TYPE: &str = "AWS::Serverless::HttpApi";

/// Properties the local runtime accepts although they change nothing
/// locally: descriptions and tags; stage settings (throttling, access logs,
/// stage name), which only exist on API Gateway; and authentication, which
/// the local runtime does not enforce and says so when it starts.
const ACCEPTED: &[&str] = &[
    "Description",
    "Tags",
    "DefaultRouteSettings",
    "AccessLogSettings",
    "StageName",
    "FailOnWarnings",
    "DefinitionBody",
    "Auth",
];

const METHODS: &[&str] = &[
    "get",
    "put",
    "post",
    "delete",
    "patch",
    "head",
    "options",
    "x-amazon-apigateway-any-method",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpApiResource {
    pub logical_id: String,
    /// The authentication schemes the deployed API may require, e.g.
    /// `AWS_IAM (SigV4)`, `JWT (JwtAuthorizer)`; empty when it requires none.
    pub auth: Vec<String>,
    /// The condition choosing between them, when the template has one.
    pub auth_condition: Option<String>,
    /// `(METHOD, path)` of every operation the `DefinitionBody` declares.
    pub declared_routes: Vec<(String, String)>,
}

impl HttpApiResource {
    pub(crate) fn from_resource(resource: &Resource) -> Result<Self, TemplateError> {
        let id = resource.logical_id.as_str();
        for key in resource.properties.keys() {
            let key = key.as_str().unwrap_or_default();
            if !ACCEPTED.contains(&key) {
                return Err(TemplateError::UnsupportedProperty {
                    resource: id.to_owned(),
                    property: key.to_owned(),
                });
            }
        }
        let mut api = Self {
            logical_id: id.to_owned(),
            auth: Vec::new(),
            auth_condition: None,
            declared_routes: Vec::new(),
        };
        if let Some(body) = resource.properties.get("DefinitionBody") {
            api.read_body(&Context::new(id, "DefinitionBody"), body)?;
        }
        if let Some(auth) = resource.properties.get("Auth") {
            api.read_sam_auth(auth);
        }
        Ok(api)
    }

    /// One line for a log: what the deployed API requires, or `None`.
    pub fn auth_summary(&self) -> Option<String> {
        if self.auth.is_empty() {
            return None;
        }
        let schemes = self.auth.join(" or ");
        Some(match &self.auth_condition {
            Some(condition) => format!("{schemes} (chosen by condition {condition})"),
            None => schemes,
        })
    }

    fn read_body(&mut self, at: &Context<'_>, body: &Value) -> Result<(), TemplateError> {
        let paths = body
            .get("paths")
            .and_then(Value::as_mapping)
            .ok_or_else(|| at.child("paths").invalid("must be a mapping"))?;
        for (path, item) in paths {
            let path = at.child("paths").string(path)?;
            let Some(item) = item.as_mapping() else {
                return Err(at
                    .child(&format!("paths.{path}"))
                    .invalid("must be a mapping"));
            };
            for method in item.keys().filter_map(Value::as_str) {
                if METHODS.contains(&method) {
                    let method = match method {
                        "x-amazon-apigateway-any-method" => "ANY".to_owned(),
                        m => m.to_ascii_uppercase(),
                    };
                    self.declared_routes.push((method, path.clone()));
                }
            }
        }
        let schemes = body
            .get("components")
            .and_then(|c| c.get("securitySchemes"));
        if let Some(schemes) = schemes {
            for branch in self.branches(schemes) {
                if let Some(map) = branch.as_mapping() {
                    self.read_schemes(map);
                }
            }
        }
        Ok(())
    }

    /// The alternatives of an `!If [condition, a, b]` (both), or the value.
    fn branches<'v>(&mut self, value: &'v Value) -> Vec<&'v Value> {
        let args = match value {
            Value::Tagged(t) if t.tag == "!If" => t.value.as_sequence(),
            Value::Mapping(m) if m.len() == 1 => m.get("Fn::If").and_then(Value::as_sequence),
            _ => None,
        };
        match args.map(Vec::as_slice) {
            Some([condition, yes, no]) => {
                self.auth_condition = condition.as_str().map(str::to_owned);
                vec![yes, no]
            }
            _ => vec![value],
        }
    }

    fn read_schemes(&mut self, schemes: &Mapping) {
        for (name, scheme) in schemes {
            let name = name.as_str().unwrap_or_default();
            let authorizer = scheme
                .get("x-amazon-apigateway-authorizer")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str);
            let label = if scheme
                .get("x-amazon-apigateway-authtype")
                .and_then(Value::as_str)
                == Some("awsSigv4")
            {
                format!("{name} (SigV4)")
            } else if authorizer == Some("jwt") {
                format!("JWT ({name})")
            } else if let Some(kind) = authorizer {
                format!("{kind} authorizer ({name})")
            } else {
                name.to_owned()
            };
            self.auth.push(label);
        }
    }

    /// SAM's own `Auth` block: `DefaultAuthorizer` names what every route
    /// requires.
    fn read_sam_auth(&mut self, auth: &Value) {
        if let Some(default) = auth.get("DefaultAuthorizer").and_then(Value::as_str)
            && !self.auth.iter().any(|a| a.contains(default))
        {
            self.auth.push(default.to_owned());
        }
    }
}

/// What `saga run` says about authentication when it starts: the deployed
/// API's (from the template) is not enforced locally, and whether the
/// address it serves on reaches beyond this machine. The second value is
/// true when that is worth a warning.
pub fn local_auth_notice(apis: &[HttpApiResource], addr: std::net::SocketAddr) -> (String, bool) {
    let required: Vec<String> = apis
        .iter()
        .filter_map(HttpApiResource::auth_summary)
        .collect();
    let deployed = if required.is_empty() {
        "the template's API requires no authentication".to_owned()
    } else {
        format!("the deployed API requires {}", required.join("; "))
    };
    if addr.ip().is_loopback() {
        (
            format!(
                "{deployed}; this local runtime serves it without authentication, on loopback only ({addr})"
            ),
            false,
        )
    } else {
        (
            format!(
                "{deployed}; this local runtime serves it WITHOUT authentication on {addr}, which other machines may reach: anyone who can connect can place and read orders (--listen 127.0.0.1:PORT keeps it local)"
            ),
            true,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn project_apis() -> Vec<HttpApiResource> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/template.yaml");
        Template::from_path(std::path::Path::new(path))
            .unwrap()
            .http_apis()
            .unwrap()
    }

    #[test]
    fn the_project_api_requires_iam_or_jwt_chosen_by_a_condition() {
        let [api] = project_apis().try_into().unwrap();
        assert_eq!(api.auth, ["JWT (JwtAuthorizer)", "AWS_IAM (SigV4)"]);
        assert_eq!(api.auth_condition.as_deref(), Some("UseJwtAuth"));
        let mut routes = api.declared_routes.clone();
        routes.sort();
        assert_eq!(
            routes,
            [
                ("GET".to_owned(), "/orders/{id}".to_owned()),
                ("GET".to_owned(), "/reports/{name}".to_owned()),
                ("POST".to_owned(), "/orders".to_owned())
            ]
        );
    }

    #[test]
    fn the_notice_says_loopback_without_auth_and_warns_on_other_addresses() {
        let apis = project_apis();
        let (local, warn) = local_auth_notice(&apis, "127.0.0.1:3000".parse().unwrap());
        assert!(!warn);
        assert!(
            local.contains("requires JWT (JwtAuthorizer) or AWS_IAM (SigV4)")
                && local.contains("without authentication, on loopback only (127.0.0.1:3000)"),
            "{local}"
        );
        let (open, warn) = local_auth_notice(&apis, "0.0.0.0:3000".parse().unwrap());
        assert!(warn);
        assert!(
            open.contains("WITHOUT authentication on 0.0.0.0:3000"),
            "{open}"
        );
    }

    #[test]
    fn an_api_property_the_runtime_cannot_honour_is_refused() {
        let text = "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration: {AllowOrigins: ['*']}\n";
        let err = Template::from_yaml(text)
            .unwrap()
            .http_apis()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Api") && err.contains("CorsConfiguration"),
            "{err}"
        );
    }
}
