//! AS-SUP-005 (code): model and data loaders that construct objects from pickles or
//! run a repository's code.

use crate::finding::Severity;
use crate::lang::Lang;
use crate::rules::{Context, Parsed, Rule};

pub struct UnsafeModelLoading;

impl Rule for UnsafeModelLoading {
    fn id(&self) -> &'static str {
        "AS-SUP-005"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let Some(code) = file.code.filter(|c| c.lang == Lang::Python) else {
            return;
        };
        for c in &code.index.calls {
            let last = c.last();
            if c.callee == "torch.load" {
                match c.kwarg("weights_only") {
                    Some(a) if a.is_false() => {
                        cx.report(
                            a.span.clone(),
                            "torch.load",
                            "`torch.load(..., weights_only=False)` unpickles the file: a tampered checkpoint runs code when it is loaded",
                        );
                    }
                    // PyTorch 2.6 made `weights_only=True` the default; older versions unpickle.
                    None => {
                        cx.report(
                            c.span.clone(),
                            "torch.load",
                            "`torch.load` without `weights_only=True` unpickles the file on PyTorch before 2.6: a tampered checkpoint runs code when it is loaded",
                        )
                        .severity(Severity::Medium);
                    }
                    Some(_) => {}
                }
            }
            if let Some(a) = c.kwarg("trust_remote_code").filter(|a| a.is_true()) {
                cx.report(
                    a.span.clone(),
                    &format!("{last}:trust_remote_code"),
                    format!("`{last}(..., trust_remote_code=True)` runs Python files from the model repository: whoever can change that repository runs code here"),
                );
            }
            if matches!(c.callee.as_str(), "numpy.load" | "np.load") {
                if let Some(a) = c.kwarg("allow_pickle").filter(|a| a.is_true()) {
                    cx.report(
                        a.span.clone(),
                        "numpy.load:allow_pickle",
                        "`numpy.load(..., allow_pickle=True)` unpickles object arrays: a tampered file runs code when it is loaded",
                    );
                }
            }
            if last == "load_model" {
                if let Some(a) = c.kwarg("safe_mode").filter(|a| a.is_false()) {
                    cx.report(
                        a.span.clone(),
                        "load_model:safe_mode",
                        "`load_model(..., safe_mode=False)` deserialises Lambda layers: a tampered model runs code when it is loaded",
                    );
                }
            }
            if c.callee == "pandas.read_pickle" {
                cx.report(
                    c.span.clone(),
                    "pandas.read_pickle",
                    "`pandas.read_pickle` unpickles the file: a tampered file runs code when it is loaded",
                );
            }
        }
    }
}
