//! AS-SIGN-009: a file selected by `[signing] require` without a Sigstore bundle that
//! matches it.

use crate::rules::{Context, Parsed, Rule};
use crate::sign::status::{self, BundleMatch};

pub struct RequiredSignature;

impl Rule for RequiredSignature {
    fn id(&self) -> &'static str {
        "AS-SIGN-009"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        if !file.required {
            return;
        }
        let name = file.source.path.rsplit('/').next().unwrap_or_default();
        let levels = file.source.path.matches('/').count() + 1;
        let mut bundle = file.abs.as_os_str().to_os_string();
        bundle.push(".sigstore.json");
        let bundle = std::path::PathBuf::from(bundle);
        let problem = match status::read_bundle(&bundle) {
            Some(text) => match status::check_bundle(&text, &bundle, file.abs) {
                Ok(BundleMatch::Matches) => return,
                Ok(BundleMatch::Stale(how)) => {
                    format!("its {name}.sigstore.json no longer matches it ({how})")
                }
                Ok(BundleMatch::Unchecked(why)) => {
                    format!("its {name}.sigstore.json could not be compared with it ({why})")
                }
                Ok(BundleMatch::ArtifactMissing) => return,
                Err(e) => {
                    format!("its {name}.sigstore.json is not a valid Sigstore bundle ({e:#})")
                }
            },
            None if status::covered_by_directory_bundle(file.abs, levels) => return,
            None => {
                format!("there is no {name}.sigstore.json and no directory bundle that lists it")
            }
        };
        cx.report(
            0..0,
            "",
            format!(
                "{name} must be signed ([signing] require) but {problem}: consumers cannot tell the shipped file from a substituted one"
            ),
        );
    }
}
