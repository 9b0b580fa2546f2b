//! Any bytes as a SAM template for `saga run`: loading and wiring it either
//! succeeds or fails with an error naming what is wrong, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match wiring::template::Template::from_yaml(text) {
        Ok(template) => {
            if let Err(error) = runtime::load(&template) {
                assert!(!error.to_string().is_empty());
            }
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
