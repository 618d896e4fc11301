//! A small static file server (std only) for the built site: what
//! `cargo xtask serve` gives a person and what the end-to-end tests load.
//!
//! It answers GET and HEAD under a base path (`/` or a sub-path such as
//! `/course/week9/loopscope/`), serves `index.html` for directories, sends
//! the Content-Type browsers insist on (`application/wasm` for streaming
//! compilation, `text/javascript` for modules) and never leaves its root.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// The longest request head we read.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// A directory served under a base path.
#[derive(Clone, Debug)]
pub struct StaticSite {
    root: PathBuf,
    base: String,
}

/// What a request maps to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolution {
    File(PathBuf),
    Redirect(String),
    NotFound,
    BadRequest,
}

impl StaticSite {
    /// Serves `root` under `base`, which is made to start and end with `/`.
    pub fn new(root: PathBuf, base: &str) -> StaticSite {
        StaticSite {
            root,
            base: normalize_base(base),
        }
    }

    /// The base path, starting and ending with `/`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Maps a request target (path and maybe a query) to a file, a redirect
    /// (for a directory asked for without its trailing slash) or an error.
    pub fn resolve(&self, target: &str) -> Resolution {
        let path = target.split(['?', '#']).next().unwrap_or("");
        if !path.starts_with('/') {
            return Resolution::BadRequest;
        }
        if self.base.len() > 1 && path == self.base.trim_end_matches('/') {
            return Resolution::Redirect(self.base.clone());
        }
        let Some(inside) = path.strip_prefix(self.base.as_str()) else {
            return Resolution::NotFound;
        };
        let Some(decoded) = percent_decode(inside) else {
            return Resolution::BadRequest;
        };
        let mut file = self.root.clone();
        for segment in decoded.split('/').filter(|segment| !segment.is_empty()) {
            let mut components = Path::new(segment).components();
            match (components.next(), components.next()) {
                (Some(Component::Normal(name)), None) if !segment.contains('\\') => file.push(name),
                _ => return Resolution::NotFound,
            }
        }
        if file.is_dir() {
            if !path.ends_with('/') {
                return Resolution::Redirect(format!("{path}/"));
            }
            file.push("index.html");
        }
        if file.is_file() {
            Resolution::File(file)
        } else {
            Resolution::NotFound
        }
    }
}

/// `course/week9` and `/course/week9/` both become `/course/week9/`.
pub fn normalize_base(base: &str) -> String {
    let trimmed = base.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        format!("/{trimmed}/")
    }
}

/// Decodes `%XX` escapes; `None` for a broken escape, a NUL or non-UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = std::str::from_utf8(bytes.get(index + 1..index + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    if decoded.contains(&0) {
        return None;
    }
    String::from_utf8(decoded).ok()
}

/// The Content-Type for a file, by its extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Answers requests on `listener` until the process ends, one thread per
/// connection, logging each request.
pub fn serve(listener: TcpListener, site: StaticSite) {
    let site = Arc::new(site);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let site = Arc::clone(&site);
        thread::spawn(move || {
            if let Some(log_line) = answer(stream, &site) {
                println!("{log_line}");
            }
        });
    }
}

/// Reads one request from `stream` and answers it (the connection then
/// closes). Returns a log line, or `None` if nothing sensible arrived.
fn answer(mut stream: TcpStream, site: &StaticSite) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request_line = read_request_line(&stream)?;
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next()?, words.next()?);
    let response = match method {
        "GET" | "HEAD" => match site.resolve(target) {
            Resolution::File(path) => match fs::read(&path) {
                Ok(body) => Response::new(200, "OK", content_type(&path), body),
                Err(_) => Response::text(500, "Internal Server Error"),
            },
            Resolution::Redirect(location) => {
                let mut response = Response::text(301, "Moved Permanently");
                response.location = Some(location);
                response
            }
            Resolution::NotFound => Response::text(404, "Not Found"),
            Resolution::BadRequest => Response::text(400, "Bad Request"),
        },
        _ => Response::text(405, "Method Not Allowed"),
    };
    let status = response.status;
    response.write_to(&mut stream, method == "HEAD").ok()?;
    Some(format!("{method} {target} {status}"))
}

/// The request line; the headers after it are read and ignored.
fn read_request_line(stream: &TcpStream) -> Option<String> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    let mut read = reader.read_line(&mut request_line).ok()?;
    let mut header = String::new();
    loop {
        header.clear();
        let bytes = reader.read_line(&mut header).ok()?;
        read += bytes;
        if bytes == 0 || header == "\r\n" || header == "\n" || read > MAX_HEAD_BYTES {
            break;
        }
    }
    Some(request_line.trim_end().to_string())
}

struct Response {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, reason: &'static str, content_type: &'static str, body: Vec<u8>) -> Self {
        Response {
            status,
            reason,
            content_type,
            location: None,
            body,
        }
    }

    fn text(status: u16, reason: &'static str) -> Self {
        let body = format!("{status} {reason}\n").into_bytes();
        Response::new(status, reason, "text/plain; charset=utf-8", body)
    }

    fn write_to(&self, stream: &mut TcpStream, head_only: bool) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n\
             Connection: close\r\n",
            self.status,
            self.reason,
            self.content_type,
            self.body.len()
        );
        if let Some(location) = &self.location {
            head.push_str(&format!("Location: {location}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if !head_only {
            stream.write_all(&self.body)?;
        }
        stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A throwaway site directory: index.html, a wasm file, a sub-directory.
    fn site_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-server-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("snippets")).unwrap();
        fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
        fs::write(dir.join("app_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
        fs::write(dir.join("snippets").join("index.html"), "inner").unwrap();
        fs::write(dir.join("a b.js"), "export {}").unwrap();
        dir
    }

    #[test]
    fn normalizes_base_paths() {
        assert_eq!(normalize_base(""), "/");
        assert_eq!(normalize_base("/"), "/");
        assert_eq!(normalize_base("course/week9"), "/course/week9/");
        assert_eq!(
            normalize_base("/course/week9/loopscope/"),
            "/course/week9/loopscope/"
        );
    }

    #[test]
    fn content_types_are_the_ones_browsers_require() {
        assert_eq!(content_type(Path::new("x_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("style-1a2b.css")),
            "text/css; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("LICENSE")),
            "application/octet-stream"
        );
    }

    #[test]
    fn resolves_files_directories_and_decoded_names_at_the_root() {
        let dir = site_dir("root");
        let site = StaticSite::new(dir.clone(), "/");
        assert_eq!(site.resolve("/"), Resolution::File(dir.join("index.html")));
        assert_eq!(
            site.resolve("/?v=1"),
            Resolution::File(dir.join("index.html"))
        );
        assert_eq!(
            site.resolve("/app_bg.wasm"),
            Resolution::File(dir.join("app_bg.wasm"))
        );
        assert_eq!(
            site.resolve("/a%20b.js"),
            Resolution::File(dir.join("a b.js"))
        );
        assert_eq!(
            site.resolve("/snippets"),
            Resolution::Redirect("/snippets/".into())
        );
        assert_eq!(
            site.resolve("/snippets/"),
            Resolution::File(dir.join("snippets").join("index.html"))
        );
        assert_eq!(site.resolve("/missing.js"), Resolution::NotFound);
        assert_eq!(site.resolve("/%zz"), Resolution::BadRequest);
        assert_eq!(site.resolve("http://elsewhere/"), Resolution::BadRequest);
    }

    #[test]
    fn never_leaves_its_root() {
        let dir = site_dir("escape");
        let site = StaticSite::new(dir.join("snippets"), "/");
        for target in [
            "/../index.html",
            "/%2e%2e/index.html",
            "/..%2findex.html",
            "/.%2e/app_bg.wasm",
        ] {
            assert_eq!(site.resolve(target), Resolution::NotFound, "{target}");
        }
        assert_eq!(site.resolve("/%00"), Resolution::BadRequest);
    }

    #[test]
    fn serves_only_under_its_base_path() {
        let dir = site_dir("base");
        let site = StaticSite::new(dir.clone(), "course/week9/loopscope");
        assert_eq!(site.base(), "/course/week9/loopscope/");
        assert_eq!(
            site.resolve("/course/week9/loopscope"),
            Resolution::Redirect("/course/week9/loopscope/".into())
        );
        assert_eq!(
            site.resolve("/course/week9/loopscope/"),
            Resolution::File(dir.join("index.html"))
        );
        assert_eq!(
            site.resolve("/course/week9/loopscope/app_bg.wasm"),
            Resolution::File(dir.join("app_bg.wasm"))
        );
        assert_eq!(site.resolve("/"), Resolution::NotFound);
        assert_eq!(site.resolve("/app_bg.wasm"), Resolution::NotFound);
        assert_eq!(
            site.resolve("/course/week9/loopscopeX/"),
            Resolution::NotFound
        );
    }

    fn request(address: std::net::SocketAddr, head: &str) -> String {
        let mut stream = TcpStream::connect(address).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        String::from_utf8_lossy(&response).into_owned()
    }

    #[test]
    fn answers_over_http_with_type_length_and_body() {
        let dir = site_dir("http");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        thread::spawn(move || serve(listener, StaticSite::new(dir, "/sub/")));

        let wasm = request(address, "GET /sub/app_bg.wasm HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(wasm.starts_with("HTTP/1.1 200 OK\r\n"), "{wasm}");
        assert!(
            wasm.contains("Content-Type: application/wasm\r\n"),
            "{wasm}"
        );
        assert!(wasm.contains("Content-Length: 8\r\n"), "{wasm}");
        assert!(wasm.ends_with("\r\n\r\n\0asm\u{1}\0\0\0"), "{wasm:?}");

        let head = request(address, "HEAD /sub/ HTTP/1.1\r\n\r\n");
        assert!(
            head.contains("Content-Type: text/html; charset=utf-8\r\n"),
            "{head}"
        );
        assert!(head.ends_with("\r\n\r\n"), "HEAD sent a body: {head}");

        let redirect = request(address, "GET /sub HTTP/1.1\r\n\r\n");
        assert!(redirect.starts_with("HTTP/1.1 301 "), "{redirect}");
        assert!(redirect.contains("Location: /sub/\r\n"), "{redirect}");

        assert!(request(address, "GET /nope HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
        assert!(request(address, "POST /sub/ HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 "));
    }
}
