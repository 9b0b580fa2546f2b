//! Writes Mozilla's root certificates (the `webpki-root-certs` crate, DER)
//! as one PEM file in OUT_DIR, the only form the AWS SDK's `TrustStore`
//! takes, so that `platform::tls` can compile them in and no Lambda cold
//! start reads or encodes certificates.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::fmt::Write;

fn main() {
    let mut pem = String::new();
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        let body = STANDARD.encode(cert.as_ref());
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        // RFC 7468: the base64 text is wrapped at 64 characters.
        for line in body.as_bytes().chunks(64) {
            let line = std::str::from_utf8(line).expect("base64 is ASCII");
            writeln!(pem, "{line}").expect("writing to a String");
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("mozilla-roots.pem"), pem).expect("writing mozilla-roots.pem");
    println!("cargo::rerun-if-changed=build.rs");
}
