//! What a template's resources resolve to once their physical names are
//! known: shared by the provisioner, which creates them, and
//! [`crate::attach`], which finds them where they already exist. Both name
//! a resource `<prefix><LogicalId>` and the bus `<prefix><EventBusName>`.

use crate::names::StackNames;
use serde_json::Value as Json;
use std::collections::HashMap;
use wiring::template::{Resolver, Template, ref_target};

/// The names found or created so far, and what `!Ref`, `!GetAtt` and
/// `!Sub` resolve to with them.
#[derive(Default)]
pub(crate) struct Resolved {
    pub names: StackNames,
    /// `Ref` values: parameters, pseudo parameters, physical ids.
    pub refs: HashMap<String, String>,
    /// `GetAtt` values: `(logical id, attribute)`.
    pub attributes: HashMap<(String, String), String>,
}

impl Resolver for Resolved {
    fn reference(&self, id: &str) -> Option<String> {
        self.refs.get(id).cloned()
    }
    fn attribute(&self, id: &str, attribute: &str) -> Option<String> {
        self.attributes
            .get(&(id.to_owned(), attribute.to_owned()))
            .cloned()
    }
}

impl Resolved {
    /// A resource now known by its physical id: what `!Ref` gives, its
    /// `Arn` attribute when it has one, and its entry in the stack's names.
    pub fn record(&mut self, id: &str, physical: &str, arn: Option<String>, resource_type: &str) {
        self.refs.insert(id.into(), physical.to_owned());
        if let Some(arn) = arn {
            self.attributes.insert((id.into(), "Arn".into()), arn);
        }
        self.names.insert(id, physical, resource_type);
    }

    /// An event bus, created or found: `!Ref` and `!GetAtt .Name` give its
    /// name.
    pub fn record_bus(&mut self, id: &str, name: &str, arn: String) {
        self.record(id, name, Some(arn), "AWS::Events::EventBus");
        self.attributes
            .insert((id.into(), "Name".into()), name.to_owned());
    }

    /// A queue, created or found: `!Ref` gives its URL, `!GetAtt
    /// .QueueName` its name.
    pub fn record_queue(&mut self, id: &str, url: &str, name: &str, arn: String) {
        self.record(id, url, Some(arn), "AWS::SQS::Queue");
        self.attributes
            .insert((id.into(), "QueueName".into()), name.to_owned());
    }

    /// The template's parameter defaults (the bus name prefixed like every
    /// other name) and the pseudo parameters of `region`.
    pub fn new(template: &Template, prefix: &str, region: &str) -> Self {
        let mut resolved = Self::default();
        for (name, default) in template.parameter_defaults() {
            resolved.refs.insert(name, default);
        }
        // The bus name is a parameter: prefix it like every other name.
        if let Some(bus) = resolved.refs.get_mut("EventBusName") {
            *bus = format!("{prefix}{bus}");
        }
        resolved
            .refs
            .insert("AWS::Region".into(), region.to_owned());
        resolved.refs.insert("AWS::Partition".into(), "aws".into());
        resolved
            .refs
            .insert("AWS::URLSuffix".into(), "amazonaws.com".into());
        resolved
    }
}

/// A scalar of resolved JSON as text.
pub(crate) fn text(json: &Json) -> Option<String> {
    match json {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The logical id of a rule target that is not among the resources
/// resolved so far (e.g. the data lake's Firehose stream), if any.
pub(crate) fn unresolved_target(
    resolved: &Resolved,
    properties: &serde_yaml_ng::Mapping,
) -> Option<String> {
    properties
        .get("Targets")?
        .as_sequence()?
        .iter()
        .filter_map(|t| ref_target(t.get("Arn")?))
        .map(|(id, _)| id)
        .find(|id| !resolved.refs.contains_key(id))
}
