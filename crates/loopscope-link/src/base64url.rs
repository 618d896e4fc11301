//! base64url without padding (RFC 4648 §5), the alphabet of the page's
//! links: `#code=` carries the UTF-8 source in it, `#z=` its DEFLATE.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5); `None` for anything else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = ALPHABET.iter().position(|&c| c == byte)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // A lone 6-bit group cannot end a valid encoding.
    if text.len() % 4 == 1 {
        return None;
    }
    Some(out)
}

/// base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * k)) as usize & 63] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_text_without_padding() {
        for text in ["", "a", "ab", "abc", "print('héllo')\n", "ü€𝄞 >>>???"] {
            let encoded = encode(text.as_bytes());
            assert!(!encoded.contains('='));
            assert!(!encoded.contains('+') && !encoded.contains('/'));
            assert_eq!(decode(&encoded).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(encode(b"print(1)\n"), "cHJpbnQoMSkK");
    }

    #[test]
    fn refuses_what_is_not_base64url() {
        assert_eq!(decode("!!"), None);
        assert_eq!(decode("A"), None);
        assert_eq!(decode("AB+/"), None);
        assert_eq!(decode("_w"), Some(vec![0xff]));
    }
}
