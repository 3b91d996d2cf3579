//! Server text in errors, tamed for logs: escaped and cut short

use core::fmt;

/// Most characters of one text from a server that an error's `Display` shows (then `…`); the
/// error's field keeps the whole text.
pub const MAX_SHOWN_CHARS: usize = 256;

/// Text from a server as an error's `Display` shows it: characters that could forge or hide
/// log lines ([`escaped`]) written as `char::escape_debug` writes them (`\n`, `\u{1b}`), and
/// at most [`MAX_SHOWN_CHARS`] characters, then `…`. A backslash is left as it is, so the
/// escaping is for reading, not for undoing.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        // Runs of plain characters are written at once.
        let mut plain = 0;
        for (n, (at, c)) in text.char_indices().enumerate() {
            if n == MAX_SHOWN_CHARS {
                f.write_str(&text[plain..at])?;
                return f.write_str("…");
            }
            if escaped(c) {
                f.write_str(&text[plain..at])?;
                write!(f, "{}", c.escape_debug())?;
                plain = at + c.len_utf8();
            }
        }
        f.write_str(&text[plain..])
    }
}

/// Text from a server as an error's `Debug` shows it: a quoted string as `str`'s `Debug`
/// writes it, cut after [`MAX_SHOWN_CHARS`] characters (then `…` after the closing quote).
pub(crate) struct ShownDebug<'a>(pub(crate) &'a str);

impl fmt::Debug for ShownDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(MAX_SHOWN_CHARS) {
            Some((at, _)) => write!(f, "{:?}…", &self.0[..at]),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// Control characters (C0, DEL, C1: line breaks, terminal escapes), the Unicode line and
/// paragraph separators, and the invisible characters that reorder or hide text (bidi
/// marks, overrides and isolates, zero-width characters, the byte order mark).
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
        )
}
