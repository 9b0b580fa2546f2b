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
/// every client at an emulator such as moto or LocalStack.
pub async fn aws() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
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
    fn an_unset_optional_variable_falls_back_to_its_default() {
        let v: u32 = parsed_or("ORDERSAGA_SURELY_UNSET_NUMBER", 7).unwrap();
        assert_eq!(v, 7);
    }
}
