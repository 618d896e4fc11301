//! `_simnet`: the simulated network of SEMANTICS.md §5, shared by the
//! simulated `aiohttp`, `httpx` and `requests`. Every host answers like
//! httpbin: a request takes 0.2 s (`/delay/N`: N s, at most 10), the status
//! is 200 (`/status/N`: N), and the body is the JSON
//! `{"args": {query parameters}, "url": "<the url>"}` written with an indent
//! of 2 and a final newline (empty for `/status/N`).

use std::rc::Rc;

use loopscope_interp::builtins::{add_functions, new_module};
use loopscope_interp::modules::json::encoder::encode_string;
use loopscope_interp::value::{Args, Module, PyResult, PyTuple, Value};
use loopscope_interp::vm::{ExcType, Vm};
use loopscope_trace::EventKind;

/// Seconds from sending a request to its whole response.
const BASE_LATENCY: f64 = 0.2;
/// The longest `/delay/N` httpbin honours.
const MAX_DELAY: f64 = 10.0;

pub fn make(_vm: &mut Vm) -> PyResult<Rc<Module>> {
    let module = new_module("_simnet");
    add_functions(&module, &[("route", route), ("reason", reason)]);
    Ok(module)
}

/// `route(url)` → `(latency, status, body)`.
fn route(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let url = args.positional.first().cloned().unwrap_or(Value::None);
    let url = vm.expect_str(&url, "url")?.as_str().to_string();
    let (path, query) = split_url(&url);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut latency = BASE_LATENCY;
    if let ["delay", n] = segments.as_slice() {
        let n: f64 = n.trim().parse().map_err(|_| {
            vm.error(
                ExcType::ValueError,
                format!("could not convert string to float: '{n}'"),
            )
        })?;
        latency = n.min(MAX_DELAY);
    }
    if let ["status", n] = segments.as_slice() {
        let status: i64 = n.trim().parse().map_err(|_| {
            vm.error(
                ExcType::ValueError,
                format!("invalid literal for int() with base 10: '{n}'"),
            )
        })?;
        record_request(vm, &url, status, latency)?;
        return Ok(triple(latency, status, String::new()));
    }
    let body = httpbin_body(&query_pairs(query), &url);
    record_request(vm, &url, 200, latency)?;
    Ok(triple(latency, 200, body))
}

/// Records a request in the trace; the next sleep of whoever sent it is
/// the wait for the response (a future with the role `network`).
fn record_request(vm: &mut Vm, url: &str, status: i64, latency: f64) -> PyResult<()> {
    let w = crate::world::world(vm)?;
    let method = w.request_method.take().unwrap_or_else(|| "GET".to_string());
    let actor = w.actor();
    w.pending_request = Some((actor, format!("{method} {url}")));
    w.record(EventKind::NetworkRequest {
        method,
        url: url.to_string(),
        status,
        duration: latency,
        actor,
    });
    Ok(())
}

fn triple(latency: f64, status: i64, body: String) -> Value {
    Value::Tuple(Rc::new(PyTuple {
        items: vec![
            Value::Float(latency),
            Value::Int(status),
            Value::string(body),
        ],
    }))
}

/// The path and the query of a URL (urllib.parse.urlsplit).
fn split_url(url: &str) -> (&str, &str) {
    let without_fragment = url.split('#').next().unwrap_or("");
    let (before_query, query) = match without_fragment.split_once('?') {
        Some((a, b)) => (a, b),
        None => (without_fragment, ""),
    };
    let after_scheme = match before_query.find("://") {
        Some(i) => &before_query[i + 3..],
        None => before_query,
    };
    let path = match after_scheme.find('/') {
        Some(i) => &after_scheme[i..],
        None => "",
    };
    (path, query)
}

/// urllib.parse.parse_qsl without blank values, then `dict()` of it:
/// a repeated key keeps its first position and its last value.
fn query_pairs(query: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let key = unquote_plus(key);
        let value = unquote_plus(value);
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some(pair) => pair.1 = value,
            None => pairs.push((key, value)),
        }
    }
    pairs
}

/// urllib.parse.unquote_plus: `+` is a space, `%XX` a byte (UTF-8,
/// invalid sequences replaced).
fn unquote_plus(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match text
                    .get(i + 1..i + 3)
                    .map(|hex| u8::from_str_radix(hex, 16))
                {
                    Some(Ok(byte)) => {
                        out.push(byte);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `json.dumps({"args": args, "url": url}, indent=2) + "\n"`.
fn httpbin_body(args: &[(String, String)], url: &str) -> String {
    let mut out = String::from("{\n  \"args\": ");
    if args.is_empty() {
        out.push_str("{}");
    } else {
        out.push_str("{\n");
        for (i, (key, value)) in args.iter().enumerate() {
            out.push_str("    ");
            out.push_str(&encode_string(key, true));
            out.push_str(": ");
            out.push_str(&encode_string(value, true));
            out.push_str(if i + 1 < args.len() { ",\n" } else { "\n" });
        }
        out.push_str("  }");
    }
    out.push_str(",\n  \"url\": ");
    out.push_str(&encode_string(url, true));
    out.push_str("\n}\n");
    out
}

/// `reason(status)`: http.HTTPStatus(status).phrase, or "".
fn reason(vm: &mut Vm, args: &mut Args) -> PyResult<Value> {
    let status = args.positional.first().cloned().unwrap_or(Value::None);
    let status = vm.expect_int(&status)?;
    let phrase = PHRASES
        .iter()
        .find(|(code, _)| *code == status)
        .map_or("", |(_, phrase)| phrase);
    Ok(Value::str(phrase))
}

/// CPython 3.11's http.HTTPStatus phrases.
const PHRASES: &[(i64, &str)] = &[
    (100, "Continue"),
    (101, "Switching Protocols"),
    (102, "Processing"),
    (103, "Early Hints"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (203, "Non-Authoritative Information"),
    (204, "No Content"),
    (205, "Reset Content"),
    (206, "Partial Content"),
    (207, "Multi-Status"),
    (208, "Already Reported"),
    (226, "IM Used"),
    (300, "Multiple Choices"),
    (301, "Moved Permanently"),
    (302, "Found"),
    (303, "See Other"),
    (304, "Not Modified"),
    (305, "Use Proxy"),
    (307, "Temporary Redirect"),
    (308, "Permanent Redirect"),
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (402, "Payment Required"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (406, "Not Acceptable"),
    (407, "Proxy Authentication Required"),
    (408, "Request Timeout"),
    (409, "Conflict"),
    (410, "Gone"),
    (411, "Length Required"),
    (412, "Precondition Failed"),
    (413, "Request Entity Too Large"),
    (414, "Request-URI Too Long"),
    (415, "Unsupported Media Type"),
    (416, "Requested Range Not Satisfiable"),
    (417, "Expectation Failed"),
    (418, "I'm a Teapot"),
    (421, "Misdirected Request"),
    (422, "Unprocessable Entity"),
    (423, "Locked"),
    (424, "Failed Dependency"),
    (425, "Too Early"),
    (426, "Upgrade Required"),
    (428, "Precondition Required"),
    (429, "Too Many Requests"),
    (431, "Request Header Fields Too Large"),
    (451, "Unavailable For Legal Reasons"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
    (505, "HTTP Version Not Supported"),
    (506, "Variant Also Negotiates"),
    (507, "Insufficient Storage"),
    (508, "Loop Detected"),
    (510, "Not Extended"),
    (511, "Network Authentication Required"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_like_urlsplit() {
        assert_eq!(
            split_url("https://httpbin.org/delay/3?x=1#f"),
            ("/delay/3", "x=1")
        );
        assert_eq!(split_url("http://example.com"), ("", ""));
    }

    #[test]
    fn query_parameters_drop_blanks_and_keep_last_value() {
        let pairs = query_pairs("a=1&b=&c&a=2&name=%D0%BF+x");
        assert_eq!(
            pairs,
            vec![
                ("a".to_string(), "2".to_string()),
                ("name".to_string(), "п x".to_string())
            ]
        );
    }

    #[test]
    fn body_is_indented_json_with_ascii_escapes() {
        let body = httpbin_body(&[("q".into(), "п".into())], "http://h/get?q=п");
        assert_eq!(
            body,
            "{\n  \"args\": {\n    \"q\": \"\\u043f\"\n  },\n  \"url\": \"http://h/get?q=\\u043f\"\n}\n"
        );
        assert_eq!(
            httpbin_body(&[], "http://h/"),
            "{\n  \"args\": {},\n  \"url\": \"http://h/\"\n}\n"
        );
    }
}
