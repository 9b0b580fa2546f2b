//! The HTTPS client every AWS SDK client of a function uses: the SDK's
//! default client (hyper 1, rustls on aws-lc-rs, proxy settings from the
//! environment) with Mozilla's root certificates compiled in, instead of the
//! host's certificate files.
//!
//! Why: the SDK builds its TLS connector while a client is configured, on
//! purpose, so that the roots load in init rather than on the first request
//! (aws-smithy-http-client 1.5, `validate_base_client_config`). With the
//! native roots that means reading the host's CA bundle and, on Debian,
//! ~140 more files in `/etc/ssl/certs`: about 6 ms of a 24 ms cold start
//! (docs/aws.md, "Cold start"). The compiled-in set is parsed from memory.
//! Servers are still verified, against the same Mozilla set that Amazon
//! Linux's `ca-certificates` package ships.
//!
//! An operator who sets `SSL_CERT_FILE` or `SSL_CERT_DIR` (a private CA, a
//! TLS-inspecting proxy, LocalStack with its own certificate) gets the
//! native roots, which honour those variables, as before.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::OnceLock;

/// Mozilla's trusted roots (the `webpki-root-certs` crate), PEM-encoded by
/// this crate's build script.
pub const MOZILLA_ROOTS_PEM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mozilla-roots.pem"));

/// Where the client's trusted roots come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// Mozilla's set, compiled in: nothing is read from disk.
    Mozilla,
    /// The host's store (rustls-native-certs: `SSL_CERT_FILE`,
    /// `SSL_CERT_DIR`, else the distribution's bundle and directory).
    Native,
}

impl Roots {
    /// The native store only when the environment names one, given the
    /// values of `SSL_CERT_FILE` and `SSL_CERT_DIR`.
    pub fn chosen(ssl_cert_file: Option<&str>, ssl_cert_dir: Option<&str>) -> Roots {
        let named = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
        if named(ssl_cert_file) || named(ssl_cert_dir) {
            Roots::Native
        } else {
            Roots::Mozilla
        }
    }

    /// The choice for this process's environment.
    pub fn from_env() -> Roots {
        let var = |name| std::env::var(name).ok();
        Roots::chosen(
            var("SSL_CERT_FILE").as_deref(),
            var("SSL_CERT_DIR").as_deref(),
        )
    }

    /// The SDK trust store holding these roots.
    pub fn trust_store(self) -> TrustStore {
        match self {
            Roots::Mozilla => TrustStore::empty().with_pem_certificate(MOZILLA_ROOTS_PEM),
            Roots::Native => TrustStore::default(),
        }
    }
}

/// The SDK's default HTTPS client trusting `trust` (in the functions,
/// [`Roots::trust_store`]; a test can give its own CA). It
/// mirrors aws-smithy-runtime's `default_https_client` (rustls on aws-lc,
/// proxies from `HTTPS_PROXY`/`NO_PROXY` as behaviour version 2025-08-07
/// and later do); `build_with_connector_fn` is the hook that function uses,
/// the public builder has no proxy setting.
pub fn https_client(trust: TrustStore) -> SharedHttpClient {
    let tls = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context without additional server names always builds");
    let client = Builder::new().build_with_connector_fn(move |settings, components| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(tls.clone());
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    });
    SharedHttpClient::new(ValidatedOnce {
        inner: client,
        validated: OnceLock::new(),
    })
}

/// The SDK validates the base configuration of every client it builds, and
/// smithy's client does so by building a whole TLS connector (root store
/// included) and dropping it. The outcome depends on nothing but the HTTPS
/// client itself, so with two or three SDK clients sharing it, init would
/// build the same connector two or three times. This runs that check for
/// the first client only: the roots are still parsed in init, once. (The
/// first request builds the connector it keeps, as before.)
#[derive(Debug)]
struct ValidatedOnce {
    inner: SharedHttpClient,
    validated: OnceLock<()>,
}

impl HttpClient for ValidatedOnce {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        if self.validated.get().is_none() {
            self.inner.validate_base_client_config(components, cfg)?;
            let _ = self.validated.set(());
        }
        Ok(())
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    #[test]
    fn the_compiled_in_pem_holds_exactly_mozillas_roots_byte_for_byte() {
        let parsed: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(MOZILLA_ROOTS_PEM)
                .collect::<Result<_, _>>()
                .expect("the build script writes valid PEM");
        let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
        assert!(mozilla.len() > 100, "Mozilla's set has well over 100 roots");
        assert_eq!(parsed.len(), mozilla.len());
        for (ours, theirs) in parsed.iter().zip(mozilla) {
            assert_eq!(ours.as_ref(), theirs.as_ref());
        }
    }

    #[test]
    fn the_native_store_is_used_only_when_the_environment_names_one() {
        assert_eq!(Roots::chosen(None, None), Roots::Mozilla);
        assert_eq!(Roots::chosen(Some(" "), Some("")), Roots::Mozilla);
        assert_eq!(Roots::chosen(Some("/etc/pki/ca.pem"), None), Roots::Native);
        assert_eq!(Roots::chosen(None, Some("/etc/ssl/certs")), Roots::Native);
    }
}
