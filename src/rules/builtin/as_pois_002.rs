//! AS-POIS-002: characters a reviewer cannot see (Unicode tags, bidirectional
//! controls, zero-width and other invisible code points) anywhere in a manifest.

use crate::finding::Severity;
use crate::rules::{Context, Parsed, Rule};

pub struct HiddenCharacters;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Unicode tag characters, which smuggle ASCII text.
    Tag,
    Bidi,
    Invisible,
}

fn class(c: char, prev: Option<char>) -> Option<Class> {
    let cp = c as u32;
    match cp {
        0xE0000..=0xE007F => Some(Class::Tag),
        0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x061C => Some(Class::Bidi),
        // A zero-width joiner or a variation selector right after a pictograph is
        // ordinary emoji composition.
        0x200D | 0xFE0E | 0xFE0F if prev.is_some_and(is_pictograph) => None,
        0x200B..=0x200D
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
        | 0xE000..=0xF8FF
        | 0xF0000..=0x10FFFF => Some(Class::Invisible),
        _ => None,
    }
}

fn is_pictograph(c: char) -> bool {
    let cp = c as u32;
    (0x1F000..=0x1FAFF).contains(&cp)
        || (0x2190..=0x2BFF).contains(&cp)
        || (0x2300..=0x23FF).contains(&cp)
        || c == '\u{200D}'
        || (0x1F3FB..=0x1F3FF).contains(&cp)
}

impl Rule for HiddenCharacters {
    fn id(&self) -> &'static str {
        "AS-POIS-002"
    }

    fn check(&self, file: &Parsed<'_>, cx: &mut Context<'_>) {
        let text = &file.source.text;
        let mut run: Option<(usize, usize, Class, String)> = None;
        let mut prev = None;
        let flush = |cx: &mut Context<'_>, run: &mut Option<(usize, usize, Class, String)>| {
            if let Some((start, end, worst, hidden)) = run.take() {
                let what = match worst {
                    Class::Tag => {
                        format!("Unicode tag characters that spell hidden text: \"{hidden}\"")
                    }
                    Class::Bidi => {
                        "bidirectional control characters that reorder what a reviewer sees"
                            .to_string()
                    }
                    Class::Invisible => "invisible characters".to_string(),
                };
                let n = text[start..end].chars().count();
                let sev = if worst == Class::Invisible {
                    Severity::High
                } else {
                    Severity::Critical
                };
                let route = format!(
                    "U+{:04X}",
                    text[start..end].chars().next().map_or(0, |c| c as u32)
                );
                cx.report(start..end, &route, format!("{n} {what}"))
                    .severity(sev);
            }
        };
        for (i, c) in text.char_indices() {
            // A byte order mark at the very start is an encoding marker, not content.
            let cls = if i == 0 && c == '\u{FEFF}' {
                None
            } else {
                class(c, prev)
            };
            match cls {
                Some(k) => {
                    let entry = run.get_or_insert((i, i, k, String::new()));
                    entry.1 = i + c.len_utf8();
                    entry.2 = entry.2.min(k);
                    if k == Class::Tag {
                        if let Some(a) = char::from_u32(c as u32 - 0xE0000)
                            .filter(|a| a.is_ascii_graphic() || *a == ' ')
                        {
                            entry.3.push(a);
                        }
                    }
                }
                None => flush(cx, &mut run),
            }
            prev = Some(c);
        }
        flush(cx, &mut run);
    }
}
