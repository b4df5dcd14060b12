//! AS-POIS-002: characters a reviewer cannot see (Unicode tags, bidirectional
//! controls, zero-width and other invisible code points) anywhere in a manifest.

use crate::finding::Severity;
use crate::manifest::{Node, Value};
use crate::rules::{Context, Parsed, Rule};

pub struct HiddenCharacters;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Unicode tag characters, which smuggle ASCII text.
    Tag,
    Bidi,
    Invisible,
    /// Private-use code points: icon-font glyphs (Nerd Fonts, Powerline) in
    /// prompts and status lines; visible with the font, and able to carry data.
    PrivateUse,
}

/// `rtl_line`: the line holds right-to-left letters (Hebrew, Arabic, …), where
/// left-to-right and right-to-left marks are ordinary punctuation aids.
fn class(c: char, prev: Option<char>, rtl_line: bool) -> Option<Class> {
    let cp = c as u32;
    match cp {
        0xE0000..=0xE007F => Some(Class::Tag),
        0x202A..=0x202E | 0x2066..=0x2069 => Some(Class::Bidi),
        0x200E | 0x200F | 0x061C if rtl_line => None,
        // A zero-width joiner or a variation selector right after a pictograph is
        // ordinary emoji composition.
        0x200D | 0xFE0E | 0xFE0F if prev.is_some_and(is_pictograph) => None,
        // Persian, Arabic and Indic spelling needs the (non-)joiners between letters.
        0x200C | 0x200D if prev.is_some_and(is_joining_letter) => None,
        // Ideographic variation selectors pick a glyph variant of a CJK character.
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF if prev.is_some_and(is_ideograph) => None,
        0xE000..=0xF8FF | 0xF0000..=0x10FFFF => Some(Class::PrivateUse),
        0x200B..=0x200F
        | 0x2060..=0x2064
        | 0xFEFF
        | 0x00AD
        | 0x180E
        | 0x3164
        | 0xFFA0
        | 0x115F
        | 0x1160
        | 0xFE00..=0xFE0F
        | 0xE0100..=0xE01EF
        | 0x061C => Some(Class::Invisible),
        _ => None,
    }
}

/// The ASCII character a Unicode tag character stands for (U+E0041 is 'A').
fn tag_ascii(c: char) -> Option<char> {
    let cp = c as u32;
    if !(0xE0000..=0xE007F).contains(&cp) {
        return None;
    }
    char::from_u32(cp - 0xE0000).filter(|a| a.is_ascii_graphic() || *a == ' ')
}

/// Letters of the scripts whose spelling uses zero-width (non-)joiners: Arabic,
/// Syriac, Thaana, N'Ko, the Indic scripts, Sinhala, Thai to Khmer, Mongolian.
fn is_joining_letter(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x08FF | 0x0900..=0x0DFF | 0x0E00..=0x0FFF | 0x1000..=0x109F | 0x1780..=0x18AF | 0xA8E0..=0xA8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

fn is_ideograph(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF)
}

/// Hebrew, Arabic and the other right-to-left scripts.
fn is_rtl(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Tag characters (outside emoji flags) or bidirectional controls: text that is hidden
/// or reordered. Other rules raise their findings in a file that has them.
pub(crate) fn hides_text(text: &str) -> bool {
    let mut prev: Option<char> = None;
    let mut in_flag = false;
    for c in text.chars() {
        let cp = c as u32;
        if (0xE0000..=0xE007F).contains(&cp) {
            in_flag = in_flag || prev == Some('\u{1F3F4}');
            if !in_flag {
                return true;
            }
        } else {
            in_flag = false;
            if matches!(cp, 0x202A..=0x202E | 0x2066..=0x2069) {
                return true;
            }
        }
        prev = Some(c);
    }
    false
}

fn is_pictograph(c: char) -> bool {
    let cp = c as u32;
    c == '\u{FE0F}'
        || (0x1F000..=0x1FAFF).contains(&cp)
        || (0x2190..=0x2BFF).contains(&cp)
        || (0x2300..=0x23FF).contains(&cp)
        || c == '\u{200D}'
        || (0x1F3FB..=0x1F3FF).contains(&cp)
}

/// Whether the line around byte `at` has right-to-left letters.
fn line_has_rtl(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[start..end].chars().any(is_rtl)
}

fn hidden_runs(cx: &mut Context<'_>, text: &str) {
    let mut run: Option<Run> = None;
    let mut prev = None;
    for (i, c) in text.char_indices() {
        // A byte order mark at the very start is an encoding marker, not content.
        let cls = if c.is_ascii() || (i == 0 && c == '\u{FEFF}') {
            None
        } else {
            // Only direction marks depend on their line; look at it for those alone.
            let rtl = matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}') && line_has_rtl(text, i);
            class(c, prev, rtl)
        };
        match cls {
            Some(k) => {
                let r = run.get_or_insert(Run {
                    start: i,
                    end: i,
                    worst: k,
                    hidden: String::new(),
                    before: prev,
                });
                r.end = i + c.len_utf8();
                r.worst = r.worst.min(k);
                r.hidden.extend(tag_ascii(c));
            }
            None => {
                if let Some(r) = run.take() {
                    report(cx, text, r);
                }
            }
        }
        prev = Some(c);
    }
    if let Some(r) = run.take() {
        report(cx, text, r);
    }
}

/// A run of consecutive hidden characters.
struct Run {
    start: usize,
    end: usize,
    worst: Class,
    /// ASCII spelled by tag characters.
    hidden: String,
    /// The visible character before the run.
    before: Option<char>,
}

impl Run {
    /// Ordinary emoji: one presentation selector (`©️`, keycaps), or the tag sequence
    /// of a subdivision flag (U+1F3F4, tags, cancel tag U+E007F).
    fn is_emoji(&self, text: &str) -> bool {
        let t = &text[self.start..self.end];
        if t == "\u{FE0F}" || t == "\u{FE0E}" {
            return true;
        }
        self.before == Some('\u{1F3F4}')
            && t.ends_with('\u{E007F}')
            && t.chars().count() <= 8
            && t.chars().all(|c| matches!(c as u32, 0xE0020..=0xE007F))
    }
}

impl Rule for HiddenCharacters {
    fn id(&self) -> &'static str {
        "AS-POIS-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let text = &file.source.text;
        // Every character this rule reports is outside ASCII; most files are ASCII,
        // and that check is much faster than classifying each character.
        if !text.is_ascii() {
            hidden_runs(cx, text);
        }
        for root in file.roots {
            escaped(cx, text, root);
        }
        for s in &file.servers {
            if let Some(scripts) = mixed_script(&s.name) {
                cx.report(
                    s.name_span.clone(),
                    &s.route.to_string(),
                    format!(
                        "MCP server name '{}' mixes Latin with {scripts} letters that look alike",
                        s.name
                    ),
                )
                .severity(Severity::Medium)
                .confidence(crate::finding::Confidence::Medium);
            }
        }
    }
}

/// Hidden characters written as escapes (`"\u200b"`, `"\u202e"`): invisible in the file
/// as `\u` sequences, but the client decodes them and the model reads them.
fn escaped(cx: &mut Context<'_>, text: &str, node: &Node) {
    match &node.value {
        Value::String(s) => {
            let raw = text.get(node.span.clone()).unwrap_or("");
            let mut prev = None;
            let mut worst: Option<Class> = None;
            let mut hidden = String::new();
            let rtl = s.chars().any(is_rtl);
            for c in s.chars() {
                if let Some(k) = class(c, prev, rtl) {
                    if !raw.contains(c) {
                        worst = Some(worst.map_or(k, |w| w.min(k)));
                        hidden.extend(tag_ascii(c));
                    }
                }
                prev = Some(c);
            }
            let Some(worst) = worst else { return };
            let (what, sev) = match worst {
                Class::Tag => (
                    format!("Unicode tag characters that spell hidden text: \"{hidden}\""),
                    Severity::Critical,
                ),
                Class::Bidi => ("bidirectional controls".to_string(), Severity::Critical),
                Class::Invisible => ("invisible code points".to_string(), Severity::High),
                Class::PrivateUse => ("private-use code points".to_string(), Severity::Low),
            };
            cx.report(
                node.span.clone(),
                "escaped",
                format!("string written with escapes that decode to hidden characters: {what}"),
            )
            .severity(sev);
        }
        Value::Array(items) => items.iter().for_each(|n| escaped(cx, text, n)),
        Value::Object(entries) => entries.iter().for_each(|e| escaped(cx, text, &e.value)),
        _ => {}
    }
}

fn report(cx: &mut Context<'_>, text: &str, r: Run) {
    if r.is_emoji(text) {
        return;
    }
    let t = &text[r.start..r.end];
    let n = t.chars().count();
    let count = if n == 1 {
        "1 hidden character".to_string()
    } else {
        format!("{n} hidden characters")
    };
    let message = match r.worst {
        Class::Tag => format!(
            "{count}, including Unicode tag characters that spell hidden text: \"{}\"",
            r.hidden
        ),
        Class::Bidi => {
            format!("{count}, including bidirectional controls that reorder what a reviewer sees")
        }
        Class::Invisible => format!("{count} (zero-width, filler or other invisible code points)"),
        Class::PrivateUse => format!(
            "{n} private-use character{} (icon-font glyphs show only with that font, and can carry data)",
            if n == 1 { "" } else { "s" }
        ),
    };
    let sev = match r.worst {
        Class::Tag | Class::Bidi => Severity::Critical,
        Class::Invisible => Severity::High,
        Class::PrivateUse => Severity::Low,
    };
    let route = format!("U+{:04X}", t.chars().next().map_or(0, |c| c as u32));
    cx.report(r.start..r.end, &route, message).severity(sev);
}

/// Names that mix Latin letters with Cyrillic or Greek ones (`gіthub` with a
/// Cyrillic і) impersonate another name; a name in one script is fine.
fn mixed_script(name: &str) -> Option<&'static str> {
    let latin = name.chars().any(|c| c.is_ascii_alphabetic());
    let cyrillic = name.chars().any(|c| matches!(c as u32, 0x0400..=0x04FF));
    let greek = name.chars().any(|c| matches!(c as u32, 0x0370..=0x03FF));
    match (latin, cyrillic, greek) {
        (true, true, _) => Some("Cyrillic"),
        (true, false, true) => Some("Greek"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_scripts() {
        assert_eq!(mixed_script("g\u{0456}thub"), Some("Cyrillic"));
        assert_eq!(mixed_script("github"), None);
        assert_eq!(
            mixed_script("\u{0441}\u{0435}\u{0440}\u{0432}\u{0435}\u{0440}"),
            None
        );
    }

    #[test]
    fn classes() {
        assert!(class('\u{E0041}', None, false) == Some(Class::Tag));
        assert!(class('\u{202E}', None, false) == Some(Class::Bidi));
        assert!(class('\u{200D}', Some('\u{1F468}'), false).is_none());
        assert!(class('\u{200B}', Some('a'), false) == Some(Class::Invisible));
        assert!(class('a', None, false).is_none());
        // Legitimate uses in other scripts and emoji.
        assert!(class('\u{200F}', Some('!'), true).is_none());
        assert!(class('\u{200F}', Some('a'), false) == Some(Class::Invisible));
        assert!(class('\u{200C}', Some('\u{0645}'), false).is_none());
        assert!(class('\u{200D}', Some('\u{FE0F}'), false).is_none());
        assert!(class('\u{E0100}', Some('\u{845B}'), false).is_none());
        assert!(class('\u{F0001}', Some(' '), false) == Some(Class::PrivateUse));
        assert!(hides_text("x\u{E0041}"));
        assert!(!hides_text(
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"
        ));
    }
}
