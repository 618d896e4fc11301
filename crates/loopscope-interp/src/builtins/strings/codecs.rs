//! Text encodings for `str.encode` and `bytes.decode`: UTF-8, ASCII,
//! Latin-1, UTF-16/UTF-32 (with or without BOM) and the single-byte code
//! pages a Russian-speaking course meets (cp1251, cp1252, koi8-r, cp866),
//! with CPython's error handlers (`strict`, `ignore`, `replace`,
//! `xmlcharrefreplace`, `backslashreplace`) and error messages.

use super::{keywords, receiver};
use crate::value::{Args, PyResult, Unwind, Value};
use crate::vm::{ExcType, Vm};

/// A supported encoding.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Codec {
    Utf8,
    Ascii,
    Latin1,
    /// UTF-16; `bom`: write a byte order mark and read one if present.
    Utf16 {
        big_endian: bool,
        bom: bool,
    },
    Utf32 {
        big_endian: bool,
        bom: bool,
    },
    /// A code page: the characters of bytes 0x80..=0xFF (0: undefined).
    Charmap(&'static [u16; 128]),
}

/// CPython's `encodings.normalize_encoding` after lowercasing: runs of
/// punctuation become one `_`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

/// The codec for an encoding name (with CPython's aliases), if supported.
pub fn lookup(name: &str) -> Option<Codec> {
    let little = |bom| Codec::Utf16 {
        big_endian: false,
        bom,
    };
    Some(match normalize(name).as_str() {
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" | "utf8_ucs2" | "utf8_ucs4" => Codec::Utf8,
        "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
        | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us" | "iso_646.irv_1991"
        | "iso_ir_6" => Codec::Ascii,
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" | "csisolatin1" | "ibm819" | "iso_8859_1_1987" => Codec::Latin1,
        "utf_16" | "utf16" | "u16" => little(true),
        "utf_16_le" | "utf_16le" | "unicodelittleunmarked" => little(false),
        "utf_16_be" | "utf_16be" | "unicodebigunmarked" => Codec::Utf16 {
            big_endian: true,
            bom: false,
        },
        "utf_32" | "utf32" | "u32" => Codec::Utf32 {
            big_endian: false,
            bom: true,
        },
        "utf_32_le" | "utf_32le" => Codec::Utf32 {
            big_endian: false,
            bom: false,
        },
        "utf_32_be" | "utf_32be" => Codec::Utf32 {
            big_endian: true,
            bom: false,
        },
        "cp1251" | "windows_1251" | "1251" => Codec::Charmap(&CP1251),
        "cp1252" | "windows_1252" | "1252" => Codec::Charmap(&CP1252),
        "koi8_r" | "cskoi8r" => Codec::Charmap(&KOI8_R),
        "cp866" | "866" | "ibm866" | "csibm866" => Codec::Charmap(&CP866),
        _ => return None,
    })
}

/// How errors are handled (`errors=`).
#[derive(Clone, Debug, PartialEq)]
enum Handler {
    Strict,
    Ignore,
    Replace,
    XmlCharRef,
    Backslash,
    Name,
    /// `surrogateescape`/`surrogatepass`: fail like `strict` on the
    /// characters they cannot handle; decoding would need lone surrogates.
    Surrogate(String),
    Other(String),
}

impl Handler {
    fn parse(name: &str) -> Handler {
        match name {
            "strict" => Handler::Strict,
            "ignore" => Handler::Ignore,
            "replace" => Handler::Replace,
            "xmlcharrefreplace" => Handler::XmlCharRef,
            "backslashreplace" => Handler::Backslash,
            "namereplace" => Handler::Name,
            "surrogateescape" | "surrogatepass" => Handler::Surrogate(name.to_string()),
            other => Handler::Other(other.to_string()),
        }
    }
}

/// A new UnicodeEncodeError/UnicodeDecodeError (UnicodeError if the
/// built-in class is missing).
fn unicode_error(vm: &mut Vm, class_name: &str, message: String) -> Unwind {
    let class = match vm.builtins.dict.borrow().get(class_name) {
        Some(Value::Class(c)) => Some(c.clone()),
        _ => None,
    };
    let class = class.unwrap_or_else(|| vm.types.exception(ExcType::UnicodeError));
    Unwind::Exception(vm.new_exception(&class, vec![Value::string(message)]))
}

fn unknown_handler(vm: &mut Vm, name: &str) -> Unwind {
    vm.error(
        ExcType::LookupError,
        format!("unknown error handler name '{name}'"),
    )
}

/// `\xNN`, `\uNNNN` or `\UNNNNNNNN` for a character, as encode errors show it.
fn escaped(c: char) -> String {
    let code = c as u32;
    if code <= 0xff {
        format!("\\x{code:02x}")
    } else if code <= 0xffff {
        format!("\\u{code:04x}")
    } else {
        format!("\\U{code:08x}")
    }
}

/// The byte a single-byte codec gives a character, if any.
type ByteOf = Box<dyn Fn(char) -> Option<u8>>;

/// Encodes `text`; `encoding` must be a name [`lookup`] knows.
pub fn encode(vm: &mut Vm, text: &str, encoding: &str, errors: &str) -> PyResult<Vec<u8>> {
    let Some(codec) = lookup(encoding) else {
        return Err(vm.error(
            ExcType::LookupError,
            format!("unknown encoding: {encoding}"),
        ));
    };
    let (name, reason, to_byte): (&str, &str, ByteOf) = match codec {
        Codec::Utf8 => return Ok(text.as_bytes().to_vec()),
        Codec::Utf16 { big_endian, bom } => {
            let mut out = Vec::with_capacity(text.len() * 2 + 2);
            let mut push = |unit: u16| {
                out.extend(if big_endian {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                })
            };
            if bom {
                push(0xfeff);
            }
            for unit in text.encode_utf16() {
                push(unit);
            }
            return Ok(out);
        }
        Codec::Utf32 { big_endian, bom } => {
            let mut out = Vec::with_capacity(text.len() * 4 + 4);
            let mut push = |code: u32| {
                out.extend(if big_endian {
                    code.to_be_bytes()
                } else {
                    code.to_le_bytes()
                })
            };
            if bom {
                push(0xfeff);
            }
            for c in text.chars() {
                push(c as u32);
            }
            return Ok(out);
        }
        Codec::Ascii => (
            "ascii",
            "ordinal not in range(128)",
            Box::new(|c: char| u8::try_from(c as u32).ok().filter(|b| *b < 0x80)),
        ),
        Codec::Latin1 => (
            "latin-1",
            "ordinal not in range(256)",
            Box::new(|c: char| u8::try_from(c as u32).ok()),
        ),
        Codec::Charmap(table) => (
            "charmap",
            "character maps to <undefined>",
            Box::new(move |c: char| {
                if c.is_ascii() {
                    return Some(c as u8);
                }
                let code = c as u32;
                table
                    .iter()
                    .position(|&t| t != 0 && u32::from(t) == code)
                    .map(|i| 0x80 + i as u8)
            }),
        ),
    };
    let handler = Handler::parse(errors);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if let Some(b) = to_byte(c) {
            out.push(b);
            i += 1;
            continue;
        }
        // A run of characters this codec cannot encode.
        let start = i;
        while chars.get(i).is_some_and(|&c| to_byte(c).is_none()) {
            i += 1;
        }
        let run = chars.get(start..i).unwrap_or(&[]);
        match &handler {
            Handler::Strict | Handler::Surrogate(_) => {
                let message = if run.len() == 1 {
                    format!(
                        "'{name}' codec can't encode character '{}' in position {start}: {reason}",
                        escaped(c)
                    )
                } else {
                    format!(
                        "'{name}' codec can't encode characters in position {start}-{}: {reason}",
                        i - 1
                    )
                };
                return Err(unicode_error(vm, "UnicodeEncodeError", message));
            }
            Handler::Ignore => {}
            Handler::Replace => out.extend(std::iter::repeat_n(b'?', run.len())),
            Handler::XmlCharRef => {
                for &c in run {
                    out.extend(format!("&#{};", c as u32).bytes());
                }
            }
            Handler::Backslash => {
                for &c in run {
                    out.extend(escaped(c).bytes());
                }
            }
            Handler::Name => {
                return Err(vm.unsupported("the 'namereplace' error handler"));
            }
            Handler::Other(other) => return Err(unknown_handler(vm, other)),
        }
    }
    Ok(out)
}

/// One undecodable stretch: where it starts and ends, and why.
struct DecodeError {
    start: usize,
    end: usize,
    reason: &'static str,
}

/// Decodes `data`; `encoding` must be a name [`lookup`] knows.
pub fn decode(vm: &mut Vm, data: &[u8], encoding: &str, errors: &str) -> PyResult<String> {
    let Some(codec) = lookup(encoding) else {
        return Err(vm.error(
            ExcType::LookupError,
            format!("unknown encoding: {encoding}"),
        ));
    };
    let handler = Handler::parse(errors);
    let mut out = String::with_capacity(data.len());
    let mut pos = 0;
    let name = match codec {
        Codec::Utf8 => "utf-8",
        Codec::Ascii => "ascii",
        Codec::Latin1 => "latin-1",
        Codec::Charmap(_) => "charmap",
        Codec::Utf16 { .. } | Codec::Utf32 { .. } => "",
    };
    let (name, big_endian) = match codec {
        Codec::Utf16 { big_endian, bom } | Codec::Utf32 { big_endian, bom } => {
            let utf16 = matches!(codec, Codec::Utf16 { .. });
            let mut big = big_endian;
            if bom {
                let (le, be): (&[u8], &[u8]) = if utf16 {
                    (&[0xff, 0xfe], &[0xfe, 0xff])
                } else {
                    (&[0xff, 0xfe, 0, 0], &[0, 0, 0xfe, 0xff])
                };
                if data.starts_with(le) {
                    pos = le.len();
                } else if data.starts_with(be) {
                    pos = be.len();
                    big = true;
                }
            }
            let name = match (utf16, big) {
                (true, false) => "utf-16-le",
                (true, true) => "utf-16-be",
                (false, false) => "utf-32-le",
                (false, true) => "utf-32-be",
            };
            (name, big)
        }
        _ => (name, false),
    };
    while pos < data.len() {
        let rest = data.get(pos..).unwrap_or(&[]);
        let step = match codec {
            Codec::Utf8 => decode_utf8(rest, &mut out),
            Codec::Ascii => match rest.first() {
                Some(&b) if b < 0x80 => {
                    out.push(b as char);
                    Ok(1)
                }
                _ => Err((1, "ordinal not in range(128)")),
            },
            Codec::Latin1 => {
                out.extend(rest.iter().map(|&b| b as char));
                Ok(rest.len())
            }
            Codec::Charmap(table) => {
                let b = rest.first().copied().unwrap_or(0);
                let c = if b < 0x80 {
                    Some(b as char)
                } else {
                    table
                        .get(usize::from(b - 0x80))
                        .filter(|&&t| t != 0)
                        .and_then(|&t| char::from_u32(u32::from(t)))
                };
                match c {
                    Some(c) => {
                        out.push(c);
                        Ok(1)
                    }
                    None => Err((1, "character maps to <undefined>")),
                }
            }
            Codec::Utf16 { .. } => decode_utf16_unit(rest, big_endian, &mut out),
            Codec::Utf32 { .. } => decode_utf32_unit(rest, big_endian, &mut out),
        };
        match step {
            Ok(n) => pos += n.max(1),
            Err((len, reason)) => {
                let error = DecodeError {
                    start: pos,
                    end: (pos + len.max(1)).min(data.len()),
                    reason,
                };
                pos = error.end;
                handle_decode_error(vm, &handler, name, data, &error, &mut out)?;
            }
        }
    }
    Ok(out)
}

fn handle_decode_error(
    vm: &mut Vm,
    handler: &Handler,
    name: &str,
    data: &[u8],
    error: &DecodeError,
    out: &mut String,
) -> PyResult<()> {
    let bad = data.get(error.start..error.end).unwrap_or(&[]);
    match handler {
        Handler::Strict => {
            let message = match bad {
                [b] => format!(
                    "'{name}' codec can't decode byte 0x{b:02x} in position {}: {}",
                    error.start, error.reason
                ),
                _ => format!(
                    "'{name}' codec can't decode bytes in position {}-{}: {}",
                    error.start,
                    error.end - 1,
                    error.reason
                ),
            };
            Err(unicode_error(vm, "UnicodeDecodeError", message))
        }
        Handler::Ignore => Ok(()),
        Handler::Replace => {
            out.push('\u{fffd}');
            Ok(())
        }
        Handler::Backslash => {
            for b in bad {
                out.push_str(&format!("\\x{b:02x}"));
            }
            Ok(())
        }
        Handler::XmlCharRef | Handler::Name => {
            Err(vm.type_error("don't know how to handle UnicodeDecodeError in error callback"))
        }
        Handler::Surrogate(name) => Err(vm.unsupported(format!("the '{name}' error handler"))),
        Handler::Other(other) => Err(unknown_handler(vm, other)),
    }
}

/// Decodes the valid UTF-8 prefix of `rest` into `out`; at an invalid
/// sequence, its length and CPython's reason.
fn decode_utf8(rest: &[u8], out: &mut String) -> Result<usize, (usize, &'static str)> {
    match std::str::from_utf8(rest) {
        Ok(text) => {
            out.push_str(text);
            Ok(rest.len())
        }
        Err(e) => {
            let valid = e.valid_up_to();
            if valid > 0 {
                out.push_str(std::str::from_utf8(rest.get(..valid).unwrap_or(&[])).unwrap_or(""));
                return Ok(valid);
            }
            match e.error_len() {
                None => Err((rest.len(), "unexpected end of data")),
                Some(1) => {
                    let first = rest.first().copied().unwrap_or(0);
                    let starts = matches!(first, 0xc2..=0xf4);
                    Err((
                        1,
                        if starts {
                            "invalid continuation byte"
                        } else {
                            "invalid start byte"
                        },
                    ))
                }
                Some(n) => Err((n, "invalid continuation byte")),
            }
        }
    }
}

fn unit16(bytes: &[u8], big_endian: bool) -> Option<u16> {
    let pair = [*bytes.first()?, *bytes.get(1)?];
    Some(if big_endian {
        u16::from_be_bytes(pair)
    } else {
        u16::from_le_bytes(pair)
    })
}

fn decode_utf16_unit(
    rest: &[u8],
    big_endian: bool,
    out: &mut String,
) -> Result<usize, (usize, &'static str)> {
    let Some(unit) = unit16(rest, big_endian) else {
        return Err((rest.len(), "truncated data"));
    };
    match unit {
        0xd800..=0xdbff => match rest.get(2..).and_then(|r| unit16(r, big_endian)) {
            Some(low @ 0xdc00..=0xdfff) => {
                let code = 0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                Ok(4)
            }
            Some(_) => Err((2, "illegal UTF-16 surrogate")),
            None => Err((rest.len(), "unexpected end of data")),
        },
        0xdc00..=0xdfff => Err((2, "illegal encoding")),
        _ => {
            out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
            Ok(2)
        }
    }
}

fn decode_utf32_unit(
    rest: &[u8],
    big_endian: bool,
    out: &mut String,
) -> Result<usize, (usize, &'static str)> {
    let Some(quad) = rest.get(..4) else {
        return Err((rest.len(), "truncated data"));
    };
    let quad: [u8; 4] = quad
        .try_into()
        .map_err(|_| (rest.len(), "truncated data"))?;
    let code = if big_endian {
        u32::from_be_bytes(quad)
    } else {
        u32::from_le_bytes(quad)
    };
    match char::from_u32(code) {
        Some(c) => {
            out.push(c);
            Ok(4)
        }
        None => Err((4, "code point not in range(0x110000)")),
    }
}

/// The `encoding` and `errors` arguments of `encode`/`decode`.
pub(crate) fn codec_args(vm: &mut Vm, name: &str, args: &mut Args) -> PyResult<(String, String)> {
    let a = keywords(vm, name, args, &["encoding", "errors"])?;
    let mut out = Vec::with_capacity(2);
    for (value, (arg, default)) in a.iter().zip([("encoding", "utf-8"), ("errors", "strict")]) {
        match value {
            None => out.push(default.to_string()),
            Some(v) => match v.unwrap_builtin() {
                Value::Str(s) => out.push(s.as_str().to_string()),
                _ => {
                    let t = vm.type_name(v);
                    return Err(
                        vm.type_error(format!("{name}() argument '{arg}' must be str, not {t}"))
                    );
                }
            },
        }
    }
    let errors = out.pop().unwrap_or_default();
    let encoding = out.pop().unwrap_or_default();
    Ok((encoding, errors))
}

/// `str.encode(encoding='utf-8', errors='strict')`.
pub fn str_encode(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let s = receiver(vm, "encode", args)?;
    let (encoding, errors) = codec_args(vm, "encode", args)?;
    let data = encode(vm, s.as_str(), &encoding, &errors)?;
    Ok(Value::bytes(data))
}

/// `cp1251`: the characters of bytes 0x80..=0xFF (0: undefined).
static CP1251: [u16; 128] = [
    0x0402, 0x0403, 0x201a, 0x0453, 0x201e, 0x2026, 0x2020, 0x2021, 0x20ac, 0x2030, 0x0409, 0x2039,
    0x040a, 0x040c, 0x040b, 0x040f, 0x0452, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x0000, 0x2122, 0x0459, 0x203a, 0x045a, 0x045c, 0x045b, 0x045f, 0x00a0, 0x040e, 0x045e, 0x0408,
    0x00a4, 0x0490, 0x00a6, 0x00a7, 0x0401, 0x00a9, 0x0404, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x0407,
    0x00b0, 0x00b1, 0x0406, 0x0456, 0x0491, 0x00b5, 0x00b6, 0x00b7, 0x0451, 0x2116, 0x0454, 0x00bb,
    0x0458, 0x0405, 0x0455, 0x0457, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041a, 0x041b, 0x041c, 0x041d, 0x041e, 0x041f, 0x0420, 0x0421, 0x0422, 0x0423,
    0x0424, 0x0425, 0x0426, 0x0427, 0x0428, 0x0429, 0x042a, 0x042b, 0x042c, 0x042d, 0x042e, 0x042f,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043a, 0x043b,
    0x043c, 0x043d, 0x043e, 0x043f, 0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044a, 0x044b, 0x044c, 0x044d, 0x044e, 0x044f,
];

/// `cp1252`: the characters of bytes 0x80..=0xFF (0: undefined).
static CP1252: [u16; 128] = [
    0x20ac, 0x0000, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x0000, 0x017d, 0x0000, 0x0000, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x0000, 0x017e, 0x0178, 0x00a0, 0x00a1, 0x00a2, 0x00a3,
    0x00a4, 0x00a5, 0x00a6, 0x00a7, 0x00a8, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af,
    0x00b0, 0x00b1, 0x00b2, 0x00b3, 0x00b4, 0x00b5, 0x00b6, 0x00b7, 0x00b8, 0x00b9, 0x00ba, 0x00bb,
    0x00bc, 0x00bd, 0x00be, 0x00bf, 0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
    0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf, 0x00d0, 0x00d1, 0x00d2, 0x00d3,
    0x00d4, 0x00d5, 0x00d6, 0x00d7, 0x00d8, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x00dd, 0x00de, 0x00df,
    0x00e0, 0x00e1, 0x00e2, 0x00e3, 0x00e4, 0x00e5, 0x00e6, 0x00e7, 0x00e8, 0x00e9, 0x00ea, 0x00eb,
    0x00ec, 0x00ed, 0x00ee, 0x00ef, 0x00f0, 0x00f1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x00f6, 0x00f7,
    0x00f8, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x00fd, 0x00fe, 0x00ff,
];

/// `koi8_r`: the characters of bytes 0x80..=0xFF (0: undefined).
static KOI8_R: [u16; 128] = [
    0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518, 0x251c, 0x2524, 0x252c, 0x2534, 0x253c, 0x2580,
    0x2584, 0x2588, 0x258c, 0x2590, 0x2591, 0x2592, 0x2593, 0x2320, 0x25a0, 0x2219, 0x221a, 0x2248,
    0x2264, 0x2265, 0x00a0, 0x2321, 0x00b0, 0x00b2, 0x00b7, 0x00f7, 0x2550, 0x2551, 0x2552, 0x0451,
    0x2553, 0x2554, 0x2555, 0x2556, 0x2557, 0x2558, 0x2559, 0x255a, 0x255b, 0x255c, 0x255d, 0x255e,
    0x255f, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565, 0x2566, 0x2567, 0x2568, 0x2569,
    0x256a, 0x256b, 0x256c, 0x00a9, 0x044e, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
    0x0445, 0x0438, 0x0439, 0x043a, 0x043b, 0x043c, 0x043d, 0x043e, 0x043f, 0x044f, 0x0440, 0x0441,
    0x0442, 0x0443, 0x0436, 0x0432, 0x044c, 0x044b, 0x0437, 0x0448, 0x044d, 0x0449, 0x0447, 0x044a,
    0x042e, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413, 0x0425, 0x0418, 0x0419, 0x041a,
    0x041b, 0x041c, 0x041d, 0x041e, 0x041f, 0x042f, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
    0x042c, 0x042b, 0x0417, 0x0428, 0x042d, 0x0429, 0x0427, 0x042a,
];

/// `cp866`: the characters of bytes 0x80..=0xFF (0: undefined).
static CP866: [u16; 128] = [
    0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417, 0x0418, 0x0419, 0x041a, 0x041b,
    0x041c, 0x041d, 0x041e, 0x041f, 0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
    0x0428, 0x0429, 0x042a, 0x042b, 0x042c, 0x042d, 0x042e, 0x042f, 0x0430, 0x0431, 0x0432, 0x0433,
    0x0434, 0x0435, 0x0436, 0x0437, 0x0438, 0x0439, 0x043a, 0x043b, 0x043c, 0x043d, 0x043e, 0x043f,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255d, 0x255c, 0x255b, 0x2510, 0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
    0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447, 0x0448, 0x0449, 0x044a, 0x044b,
    0x044c, 0x044d, 0x044e, 0x044f, 0x0401, 0x0451, 0x0404, 0x0454, 0x0407, 0x0457, 0x040e, 0x045e,
    0x00b0, 0x2219, 0x00b7, 0x221a, 0x2116, 0x00a4, 0x25a0, 0x00a0,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalize_like_cpython() {
        assert_eq!(lookup("UTF-8"), Some(Codec::Utf8));
        assert_eq!(lookup("utf 8"), Some(Codec::Utf8));
        assert_eq!(lookup("Latin1"), Some(Codec::Latin1));
        assert_eq!(lookup("windows-1251"), Some(Codec::Charmap(&CP1251)));
        assert_eq!(lookup("KOI8_R"), Some(Codec::Charmap(&KOI8_R)));
        assert_eq!(lookup("cp-1251"), None);
    }

    #[test]
    fn utf8_errors_are_cpython_reasons() {
        let mut out = String::new();
        assert_eq!(
            decode_utf8(b"\xff", &mut out),
            Err((1, "invalid start byte"))
        );
        assert_eq!(
            decode_utf8(b"\xe2\x82x", &mut out),
            Err((2, "invalid continuation byte"))
        );
        assert_eq!(
            decode_utf8(b"\xed\xa0\x80", &mut out),
            Err((1, "invalid continuation byte"))
        );
        assert_eq!(
            decode_utf8(b"\xe2\x82", &mut out),
            Err((2, "unexpected end of data"))
        );
        assert_eq!(decode_utf8(b"ab\xff", &mut out), Ok(2));
        assert_eq!(out, "ab");
    }

    #[test]
    fn code_pages_decode_cyrillic() {
        assert_eq!(CP1251[0xcf - 0x80], 'П' as u16);
        assert_eq!(KOI8_R[0xf0 - 0x80], 'П' as u16);
        assert_eq!(CP866[0x8f - 0x80], 'П' as u16);
    }
}
