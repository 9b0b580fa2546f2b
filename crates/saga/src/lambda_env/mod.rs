//! `saga lambda-env`: the environment each function of the template gets
//! on AWS, resolved to local resources, for the cargo-lambda loop (`cargo
//! lambda watch --env-file`, `cargo lambda invoke`): EventBridge and SQS
//! at `saga run`'s AWS API, DynamoDB at an emulator (DynamoDB Local,
//! LocalStack), whose tables [`tables`] creates.
//!
//! Values are what CloudFormation would give, pointed at the local names:
//! `!Ref` of a table is the table `--create-tables` creates (its logical
//! id, as the hybrid provisioner names it without a prefix), of the bus its
//! `Name`, of a queue its URL on `saga run` (whose queues are named by
//! their logical ids), of a parameter its `Default`. A function whose
//! variables name a resource nothing local emulates (the reports
//! function's Athena workgroup and named queries) is left out and named,
//! never given a made-up value; a reference to something the template does
//! not have is an error naming the function and the variable.

pub mod tables;

use emulator::{ACCOUNT, REGION};
use serde_yaml_ng::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use thiserror::Error;
use wiring::template::{Resolver, Template, TemplateError, resolve};

/// The region and credentials the functions and `--create-tables` use.
/// Emulators take any credentials, but DynamoDB Local keeps tables apart
/// per access key and region, so both sides must use the same ones
/// (LocalStack maps the key `test` to its account 000000000000).
pub const LOCAL_REGION: &str = "us-east-1";
pub const LOCAL_ACCESS_KEY: &str = "test";

/// Where the functions' AWS clients go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalEndpoints {
    /// `saga run`'s address, serving the EventBridge and SQS APIs.
    pub aws_api: String,
    /// DynamoDB Local, or LocalStack.
    pub dynamodb: String,
}

impl LocalEndpoints {
    /// The variables pointing the AWS SDK's clients at the local endpoints
    /// (service-specific endpoints, `AWS_ENDPOINT_URL_<SERVICE>`:
    /// https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
    pub fn variables(&self) -> [(&'static str, String); 6] {
        let aws_api = self.aws_api.trim_end_matches('/').to_owned();
        [
            ("AWS_ENDPOINT_URL_EVENTBRIDGE", aws_api.clone()),
            ("AWS_ENDPOINT_URL_SQS", aws_api),
            (
                "AWS_ENDPOINT_URL_DYNAMODB",
                self.dynamodb.trim_end_matches('/').to_owned(),
            ),
            ("AWS_REGION", LOCAL_REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", LOCAL_ACCESS_KEY.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", LOCAL_ACCESS_KEY.to_owned()),
        ]
    }
}

#[derive(Debug, Error)]
pub enum LambdaEnvError {
    #[error(transparent)]
    Template(#[from] Box<TemplateError>),
    /// A `!Ref`/`!GetAtt` naming nothing the template has (a typo, a
    /// parameter without a default, an attribute the resource lacks).
    #[error("{function}: variable {variable} refers to {reference}: {reason}")]
    Unresolved {
        function: String,
        variable: String,
        reference: String,
        reason: String,
        #[source]
        source: Box<TemplateError>,
    },
    /// An intrinsic this resolver does not evaluate (`!If`, `!Join`, ...).
    #[error("{function}: variable {variable} cannot be resolved locally")]
    Unsupported {
        function: String,
        variable: String,
        #[source]
        source: Box<TemplateError>,
    },
    #[error("{function}: variable {variable} is {found}; Lambda takes text, numbers or booleans")]
    NotText {
        function: String,
        variable: String,
        found: &'static str,
    },
    /// One env file serves every function (`cargo lambda watch` takes one),
    /// so two functions may not disagree on a variable.
    #[error(
        "{variable} is {first_value:?} for {first} but {second_value:?} for {second}: one env file serves every function"
    )]
    Conflict {
        variable: String,
        first: String,
        first_value: String,
        second: String,
        second_value: String,
    },
    #[error("{variable}={value:?} cannot be written to an env file: {reason}")]
    Unwritable {
        variable: String,
        value: String,
        reason: &'static str,
    },
}

/// One function's variables, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionEnv {
    pub logical_id: String,
    pub binary: String,
    pub variables: BTreeMap<String, String>,
}

/// A function left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub logical_id: String,
    pub binary: String,
    pub reason: String,
}

/// Every function's variables, and the functions left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub functions: Vec<FunctionEnv>,
    pub skipped: Vec<Skipped>,
}

/// Why a reference did not resolve.
#[derive(Debug, Clone)]
enum Miss {
    /// A resource of a type nothing local emulates: the function is left out.
    NotEmulated { id: String, resource_type: String },
    /// Anything else: an error.
    Unknown { reference: String, reason: String },
}

/// What `!Ref` and `!GetAtt` mean locally; remembers what did not resolve.
struct LocalNames<'t> {
    template: &'t Template,
    endpoints: &'t LocalEndpoints,
    misses: RefCell<Vec<Miss>>,
}

impl LocalNames<'_> {
    fn resource_type(&self, id: &str) -> Option<&str> {
        self.template
            .resources()
            .iter()
            .find(|r| r.logical_id == id)
            .map(|r| r.resource_type.as_str())
    }

    fn bus_name(&self, id: &str) -> Option<String> {
        let resource = self
            .template
            .resources()
            .iter()
            .find(|r| r.logical_id == id)?;
        match resource.properties.get("Name") {
            None => Some(id.to_owned()),
            Some(name) => resolve(name, self, (id, "Name"))
                .ok()?
                .as_str()
                .map(str::to_owned),
        }
    }

    fn miss(&self, miss: Miss) -> Option<String> {
        self.misses.borrow_mut().push(miss);
        None
    }

    fn unknown(&self, reference: String, reason: String) -> Option<String> {
        self.miss(Miss::Unknown { reference, reason })
    }
}

impl Resolver for LocalNames<'_> {
    fn reference(&self, id: &str) -> Option<String> {
        match id {
            "AWS::Region" => return Some(LOCAL_REGION.to_owned()),
            "AWS::AccountId" => return Some(ACCOUNT.to_owned()),
            "AWS::Partition" => return Some("aws".to_owned()),
            "AWS::URLSuffix" => return Some("amazonaws.com".to_owned()),
            _ => {}
        }
        if self.template.parameters.contains_key(id) {
            return self
                .template
                .parameter_default(id)
                .or_else(|| self.unknown(id.to_owned(), "the parameter has no Default".into()));
        }
        let Some(resource_type) = self.resource_type(id) else {
            return self.unknown(
                id.to_owned(),
                "no resource, parameter or pseudo parameter has that name".into(),
            );
        };
        match resource_type {
            "AWS::DynamoDB::Table" => Some(id.to_owned()),
            "AWS::Events::EventBus" => self.bus_name(id),
            "AWS::SQS::Queue" => Some(format!(
                "{}/{ACCOUNT}/{id}",
                self.endpoints.aws_api.trim_end_matches('/')
            )),
            other => self.miss(Miss::NotEmulated {
                id: id.to_owned(),
                resource_type: other.to_owned(),
            }),
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> Option<String> {
        let Some(resource_type) = self.resource_type(id) else {
            return self.unknown(
                format!("{id}.{attribute}"),
                "no resource has that name".into(),
            );
        };
        match (resource_type, attribute) {
            ("AWS::SQS::Queue", "Arn") => Some(format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{id}")),
            ("AWS::SQS::Queue", "QueueName") => Some(id.to_owned()),
            ("AWS::SQS::Queue", "QueueUrl") => self.reference(id),
            ("AWS::Events::EventBus", "Name") => self.bus_name(id),
            ("AWS::Events::EventBus", "Arn") => Some(format!(
                "arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{}",
                self.bus_name(id)?
            )),
            ("AWS::DynamoDB::Table" | "AWS::SQS::Queue" | "AWS::Events::EventBus", _) => self
                .unknown(
                    format!("{id}.{attribute}"),
                    format!("{resource_type} has no attribute {attribute} locally"),
                ),
            (other, _) => self.miss(Miss::NotEmulated {
                id: id.to_owned(),
                resource_type: other.to_owned(),
            }),
        }
    }
}

/// Every function's variables (`Globals.Function.Environment` first, then
/// its own, which win), resolved; and the functions left out.
pub fn resolve_functions(
    template: &Template,
    endpoints: &LocalEndpoints,
) -> Result<Resolved, LambdaEnvError> {
    let names = LocalNames {
        template,
        endpoints,
        misses: RefCell::new(Vec::new()),
    };
    let variables_of = |environment: Option<&Value>| {
        environment
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_mapping)
            .cloned()
    };
    let globals = variables_of(
        template
            .globals
            .get("Function")
            .and_then(|f| f.get("Environment")),
    );
    let mut resolved = Resolved {
        functions: Vec::new(),
        skipped: Vec::new(),
    };
    for function in template.functions().map_err(Box::new)? {
        let own = template
            .resources()
            .iter()
            .find(|r| r.logical_id == function.logical_id)
            .and_then(|r| variables_of(r.properties.get("Environment")));
        let label = format!("{} ({})", function.logical_id, function.binary);
        let mut variables = BTreeMap::new();
        let mut not_emulated = Vec::new();
        for (name, value) in globals.iter().chain(own.iter()).flatten() {
            let Some(name) = name.as_str() else { continue };
            names.misses.borrow_mut().clear();
            match resolve(value, &names, (&function.logical_id, name)) {
                Ok(value) => {
                    variables.insert(name.to_owned(), text(&label, name, value)?);
                }
                Err(source) => {
                    let misses = names.misses.take();
                    if let Some(Miss::NotEmulated { id, resource_type }) = misses
                        .iter()
                        .find(|m| matches!(m, Miss::NotEmulated { .. }))
                    {
                        not_emulated.push(format!("{name} names {id} ({resource_type})"));
                        continue;
                    }
                    return Err(match misses.into_iter().next() {
                        Some(Miss::Unknown { reference, reason }) => LambdaEnvError::Unresolved {
                            function: label,
                            variable: name.to_owned(),
                            reference,
                            reason,
                            source: Box::new(source),
                        },
                        _ => LambdaEnvError::Unsupported {
                            function: label,
                            variable: name.to_owned(),
                            source: Box::new(source),
                        },
                    });
                }
            }
        }
        if not_emulated.is_empty() {
            resolved.functions.push(FunctionEnv {
                logical_id: function.logical_id,
                binary: function.binary,
                variables,
            });
        } else {
            resolved.skipped.push(Skipped {
                logical_id: function.logical_id,
                binary: function.binary,
                reason: format!("{}, which nothing local emulates", not_emulated.join("; ")),
            });
        }
    }
    Ok(resolved)
}

/// A resolved value as Lambda keeps it: text.
fn text(
    function: &str,
    variable: &str,
    value: serde_json::Value,
) -> Result<String, LambdaEnvError> {
    use serde_json::Value as Json;
    let found = match value {
        Json::String(s) => return Ok(s),
        Json::Number(n) => return Ok(n.to_string()),
        Json::Bool(b) => return Ok(b.to_string()),
        Json::Null => "null",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    };
    Err(LambdaEnvError::NotText {
        function: function.to_owned(),
        variable: variable.to_owned(),
        found,
    })
}

/// The env file: every function's variables (one value each), then where
/// the AWS clients go, with comments naming the functions left out.
pub fn env_file(resolved: &Resolved, endpoints: &LocalEndpoints) -> Result<String, LambdaEnvError> {
    let mut merged: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let endpoint_variables = endpoints.variables();
    let local = "saga lambda-env's endpoints";
    let everything = resolved
        .functions
        .iter()
        .flat_map(|f| {
            f.variables
                .iter()
                .map(move |(k, v)| (f.binary.as_str(), k.as_str(), v.as_str()))
        })
        .chain(
            endpoint_variables
                .iter()
                .map(|(k, v)| (local, *k, v.as_str())),
        );
    for (owner, name, value) in everything {
        match merged.get(name) {
            Some((_, v)) if *v == value => {}
            Some((first, v)) => {
                return Err(LambdaEnvError::Conflict {
                    variable: name.to_owned(),
                    first: (*first).to_owned(),
                    first_value: (*v).to_owned(),
                    second: owner.to_owned(),
                    second_value: value.to_owned(),
                });
            }
            None => {
                merged.insert(name, (owner, value));
            }
        }
    }
    let mut out = String::from(
        "# Written by `saga lambda-env` from the template: every function's variables,\n\
         # resolved to local resources, for `cargo lambda watch --env-file`.\n",
    );
    for s in &resolved.skipped {
        out.push_str(&format!(
            "# left out: {} ({}): {}\n",
            s.binary, s.logical_id, s.reason
        ));
    }
    for (name, (_, value)) in &merged {
        out.push_str(&format!("{name}={}\n", env_value(name, value)?));
    }
    Ok(out)
}

/// A value as an env file line takes it: bare when it is plain, else in
/// single quotes. cargo-lambda reads the file with `env-file-reader`,
/// whose bare values exclude whitespace, quotes, `#` and `=`, and whose
/// quoted values turn `\n` into a line break.
fn env_value(name: &str, value: &str) -> Result<String, LambdaEnvError> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:,@+%".contains(c);
    if value.chars().all(plain) {
        return Ok(value.to_owned());
    }
    let unwritable = |reason| LambdaEnvError::Unwritable {
        variable: name.to_owned(),
        value: value.to_owned(),
        reason,
    };
    if value.contains(['\n', '\r']) {
        return Err(unwritable("it spans lines"));
    }
    if value.contains('\'') {
        return Err(unwritable("it has a single quote and needs quoting"));
    }
    if value.contains('\\') {
        return Err(unwritable("a backslash in quotes is read as an escape"));
    }
    Ok(format!("'{value}'"))
}

#[cfg(test)]
mod tests;
