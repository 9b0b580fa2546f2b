use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("environment variable {name} is not set; the SAM template sets it on the function")]
    Missing { name: &'static str },
    #[error("environment variable {name}={value:?} is invalid: {reason}")]
    Invalid {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Reads a variable that must be present, failing at cold start with a
/// message that names it.
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(ConfigError::Missing { name }),
    }
}

/// Reads an optional variable and parses it, or returns `default`.
pub fn parsed_or<T>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .map_err(|e: T::Err| ConfigError::Invalid {
                name,
                value,
                reason: e.to_string(),
            }),
        Err(_) => Ok(default),
    }
}

/// Loads the shared AWS SDK configuration once per cold start. An
/// `AWS_ENDPOINT_URL` in the environment (honoured by the SDK itself) points
/// every client at an emulator such as moto or LocalStack. Every client made
/// from it shares one HTTPS client whose roots are compiled in
/// ([`crate::tls`]), unless `SSL_CERT_FILE`/`SSL_CERT_DIR` name a store.
#[cfg(feature = "aws")]
pub async fn aws() -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(
        crate::tls::https_client(crate::tls::Roots::from_env().trust_store()),
    );
    let var = |name| std::env::var(name).ok();
    let loader = match credentials_source(
        var("AWS_ACCESS_KEY_ID").as_deref(),
        var("AWS_SECRET_ACCESS_KEY").as_deref(),
    ) {
        CredentialsSource::Environment => loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        ),
        CredentialsSource::DefaultChain => loader,
    };
    loader.load().await
}

/// Where [`aws`] takes its credentials from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsSource {
    /// The environment variables only: the provider the default chain tries
    /// first and settles on whenever both keys are set, which Lambda always
    /// does from the execution role ("Defined runtime environment
    /// variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
    /// Building the whole chain would also build its web-identity provider's
    /// STS client (and its TLS connector) in every cold start, never to be
    /// used.
    Environment,
    /// aws-config's default chain (profiles, web identity, ECS, IMDS), for
    /// tools run with a profile, such as `load-catalogue`.
    DefaultChain,
}

/// The environment provider when both keys are set and not blank (the
/// condition under which the default chain's first provider succeeds), the
/// default chain otherwise.
pub fn credentials_source(
    access_key_id: Option<&str>,
    secret_access_key: Option<&str>,
) -> CredentialsSource {
    let set = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
    if set(access_key_id) && set(secret_access_key) {
        CredentialsSource::Environment
    } else {
        CredentialsSource::DefaultChain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named_in_the_error() {
        let err = required("ORDERSAGA_SURELY_UNSET_VARIABLE").unwrap_err();
        assert!(err.to_string().contains("ORDERSAGA_SURELY_UNSET_VARIABLE"));
    }

    #[test]
    fn credentials_come_from_the_environment_only_when_both_keys_are_set() {
        use CredentialsSource::*;
        assert_eq!(credentials_source(Some("AKIA"), Some("s")), Environment);
        assert_eq!(credentials_source(Some("AKIA"), None), DefaultChain);
        assert_eq!(credentials_source(None, Some("s")), DefaultChain);
        assert_eq!(credentials_source(Some(" "), Some("s")), DefaultChain);
        assert_eq!(credentials_source(None, None), DefaultChain);
    }

    #[test]
    fn an_unset_optional_variable_falls_back_to_its_default() {
        let v: u32 = parsed_or("ORDERSAGA_SURELY_UNSET_NUMBER", 7).unwrap();
        assert_eq!(v, 7);
    }
}
