//! Template errors name the resource and the property they are about.

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {path}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("template is not valid YAML: {0}")]
    Yaml(String),
    #[error("template has no Resources mapping")]
    NoResources,
    #[error("resource {resource}: missing required property {property}")]
    MissingProperty { resource: String, property: String },
    #[error("resource {resource}: property {property} {reason}")]
    InvalidProperty {
        resource: String,
        property: String,
        reason: String,
    },
    #[error(
        "resource {resource}: property {property} uses {intrinsic}, which is not supported here"
    )]
    UnsupportedIntrinsic {
        resource: String,
        property: String,
        intrinsic: String,
    },
    #[error("resource {resource}: property {property} is not supported")]
    UnsupportedProperty { resource: String, property: String },
}
