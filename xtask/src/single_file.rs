//! `cargo xtask dist --single-file`: the built site as one self-contained
//! HTML file that works when opened from disk (`file://`) with no server —
//! what a teacher can email or put on a USB stick.
//!
//! From `dist/index.html` it keeps the head's text and metadata, and:
//! - the stylesheet becomes a `<style>`;
//! - the app's module script, its wasm-bindgen glue, its wasm (as bytes,
//!   esbuild's `binary` loader) and the code editor (`editor.js`, run first
//!   so the app finds CodeMirror at once) become one inline module, bundled
//!   by esbuild (an npm dev dependency, as for the editor);
//! - the worker that runs programs (its no-modules glue and its wasm, in
//!   base64) becomes a classic script that makes a `blob:` URL for it in
//!   `window.loopscopeWorkerUrl`, which `src/runner.rs` starts instead of
//!   the file (a page from `file://` may not start a worker from a file);
//! - preloads of the files and the service worker's registration go.

use std::fs;
use std::path::{Path, PathBuf};

use crate::process::{self, command};
use crate::workspace;

/// Where the file goes unless `--out` says otherwise (relative to the root).
pub const DEFAULT_OUTPUT: &str = "dist-single/loopscope.html";

/// The worker's files in `dist/` (trunk's `data-loader-shim` build).
const WORKER_GLUE: &str = "loopscope-worker.js";
const WORKER_WASM: &str = "loopscope-worker_bg.wasm";
/// The code editor's script in `dist/`.
const EDITOR_SCRIPT: &str = "editor.js";

/// Writes the single file for the site built in `dist` to `output`.
pub fn write(dist: &Path, output: &Path) -> crate::Result {
    let index = read_text(&dist.join("index.html"))?;
    let page = parse_page(&index)?;
    let css = read_text(&dist.join(&page.stylesheet))?;
    let module = bundle_app(dist, &page.app_glue, &page.app_wasm)?;
    let worker_glue = fs::read(dist.join(WORKER_GLUE))
        .map_err(|error| format!("cannot read {WORKER_GLUE}: {error}"))?;
    let worker_wasm = fs::read(dist.join(WORKER_WASM))
        .map_err(|error| format!("cannot read {WORKER_WASM}: {error}"))?;
    let html = assemble(&page, &css, &module, &worker_glue, &worker_wasm)?;
    if let Some(parent) = output.parent() {
        fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    fs::write(output, html)
        .map_err(|error| format!("cannot write {}: {error}", output.display()))?;
    let bytes = fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    println!(
        "Wrote {} ({:.1} MB): open it from disk, no server needed",
        output.display(),
        bytes as f64 / 1e6
    );
    Ok(())
}

fn read_text(path: &Path) -> crate::Result<String> {
    fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()).into())
}

/// What the single file needs from the built `index.html`.
#[derive(Debug, PartialEq, Eq)]
struct Page {
    /// The page up to its first asset (doctype, meta, title, icon).
    head: String,
    /// The stylesheet's file name.
    stylesheet: String,
    /// The app's wasm-bindgen glue and wasm file names.
    app_glue: String,
    app_wasm: String,
    /// What follows the head (`<body>...`).
    body: String,
}

/// Reads the built page: every `<link>` to a file of the build and every
/// `<script>` are taken out; the stylesheet and the app's module script
/// name the files to inline.
fn parse_page(html: &str) -> crate::Result<Page> {
    let head_end = html
        .find("</head>")
        .ok_or("dist/index.html has no </head>")?;
    let (head, body) = html.split_at(head_end);
    let body = body.trim_start_matches("</head>").to_string();
    let mut kept = String::new();
    let mut stylesheet = None;
    let mut module = None;
    let mut rest = head;
    loop {
        let next_link = rest.find("<link");
        let next_script = rest.find("<script");
        match (next_link, next_script) {
            (Some(link), script) if script.is_none_or(|script| link < script) => {
                kept.push_str(&rest[..link]);
                let end = rest[link..]
                    .find('>')
                    .map(|end| link + end + 1)
                    .ok_or("an unclosed <link> in dist/index.html")?;
                let tag = &rest[link..end];
                match attribute(tag, "href") {
                    Some(href) if href.starts_with("./") => {
                        if attribute(tag, "rel").as_deref() == Some("stylesheet") {
                            stylesheet = Some(href.trim_start_matches("./").to_string());
                        }
                    }
                    _ => kept.push_str(tag),
                }
                rest = &rest[end..];
            }
            (_, Some(script)) => {
                kept.push_str(&rest[..script]);
                let end = rest[script..]
                    .find("</script>")
                    .map(|end| script + end + "</script>".len())
                    .ok_or("an unclosed <script> in dist/index.html")?;
                let element = &rest[script..end];
                let open_end = element.find('>').unwrap_or(0);
                if attribute(&element[..=open_end], "type").as_deref() == Some("module") {
                    module = Some(
                        element[open_end + 1..]
                            .trim_end_matches("</script>")
                            .to_string(),
                    );
                }
                rest = &rest[end..];
            }
            _ => {
                kept.push_str(rest);
                break;
            }
        }
    }
    let module = module.ok_or("dist/index.html has no module script (the app)")?;
    let app_glue = quoted_after(&module, "from ")
        .ok_or("the app's module script imports no glue")?
        .trim_start_matches("./")
        .to_string();
    let app_wasm = quoted_after(&module, "module_or_path:")
        .ok_or("the app's module script loads no wasm")?
        .trim_start_matches("./")
        .to_string();
    Ok(Page {
        head: kept,
        stylesheet: stylesheet.ok_or("dist/index.html links no stylesheet")?,
        app_glue,
        app_wasm,
        body,
    })
}

/// An attribute's value in a start tag (quoted or not, as minified HTML has it).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    loop {
        let at = search.find(name)?;
        let before = search[..at].chars().next_back();
        let after = &search[at + name.len()..];
        if before.is_some_and(char::is_whitespace) {
            if let Some(value) = after.strip_prefix('=') {
                let value = match value.chars().next() {
                    Some(quote @ ('"' | '\'')) => value[1..].split(quote).next()?,
                    _ => value
                        .split(|c: char| c.is_whitespace() || c == '>')
                        .next()?,
                };
                return Some(value.to_string());
            }
        }
        search = after;
    }
}

/// The string literal after `marker` in JS (`from './x.js'`).
fn quoted_after<'a>(js: &'a str, marker: &str) -> Option<&'a str> {
    let after = js[js.find(marker)? + marker.len()..].trim_start();
    let quote = after
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    after[1..].split(quote).next()
}

/// The app as one ES module: the editor, the glue, the wasm's bytes and the
/// start-up trunk's module script does, bundled by esbuild.
fn bundle_app(dist: &Path, glue: &str, wasm: &str) -> crate::Result<String> {
    let work = workspace::target_dir().join("single-file");
    fs::create_dir_all(&work)
        .map_err(|error| format!("cannot create {}: {error}", work.display()))?;
    let entry = work.join("entry.mjs");
    let bundle = work.join("bundle.mjs");
    let path = |name: &str| js_string(&dist.join(name).to_string_lossy());
    let source = format!(
        "// Generated by `cargo xtask dist --single-file`.\n\
         import {editor};\n\
         import init, * as bindings from {glue};\n\
         import wasmBytes from {wasm};\n\
         const wasm = await init({{ module_or_path: wasmBytes }});\n\
         window.wasmBindings = bindings;\n\
         dispatchEvent(new CustomEvent('TrunkApplicationStarted', {{ detail: {{ wasm }} }}));\n",
        editor = path(EDITOR_SCRIPT),
        glue = path(glue),
        wasm = path(wasm),
    );
    fs::write(&entry, source)
        .map_err(|error| format!("cannot write {}: {error}", entry.display()))?;
    process::run(
        command("esbuild")
            .arg(&entry)
            .args([
                "--bundle",
                "--format=esm",
                "--minify",
                "--target=es2022",
                "--loader:.wasm=binary",
                "--log-level=warning",
            ])
            .arg(format!("--outfile={}", bundle.display())),
    )?;
    read_text(&bundle)
}

/// The single file's text.
fn assemble(
    page: &Page,
    css: &str,
    module: &str,
    worker_glue: &[u8],
    worker_wasm: &[u8],
) -> crate::Result<String> {
    if css.contains("</style") {
        return Err("the stylesheet contains `</style`".into());
    }
    let module = inline_script(module)?;
    let worker = format!(
        "(()=>{{const b=s=>Uint8Array.from(atob(s),c=>c.charCodeAt(0));\
         window.loopscopeWorkerUrl=URL.createObjectURL(new Blob([b(\"{glue}\"),\
         '\\n;wasm_bindgen({{module_or_path:Uint8Array.from(atob(\"{wasm}\"),c=>c.charCodeAt(0))}});\\n'],\
         {{type:'text/javascript'}}))}})();",
        glue = base64(worker_glue),
        wasm = base64(worker_wasm),
    );
    Ok(format!(
        "{head}<style>{css}</style><script>{worker}</script><script type=module>{module}</script></head>{body}",
        head = page.head,
        body = page.body,
    ))
}

/// JS made safe inside `<script>`: `</script` ends the element wherever it
/// is, so it is escaped (`<\/script` means the same in strings, regular
/// expressions and comments); `<!--` is refused (it changes how the HTML
/// parser reads the script, and has no escape valid everywhere).
fn inline_script(js: &str) -> crate::Result<String> {
    if js.contains("<!--") {
        return Err("a script to inline contains `<!--`".into());
    }
    Ok(js
        .replace("</script", "<\\/script")
        .replace("</SCRIPT", "<\\/SCRIPT"))
}

/// A JS string literal (double-quoted) for a path.
fn js_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Standard base64 with padding (what `atob` reads).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `--out PATH` made absolute against the repository's root.
pub fn output_path(out: Option<&str>) -> PathBuf {
    workspace::root().join(out.unwrap_or(DEFAULT_OUTPUT))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILT: &str = "<!doctype html><html lang=en><meta charset=utf-8><title>Loopscope</title>\
        <link href=data:, rel=icon><link href=./style-1a.css integrity=sha384-x rel=stylesheet>\
        <script type=module>import init, * as bindings from './loopscope-web-2b.js';\n\
        const wasm = await init({ module_or_path: './loopscope-web-2b_bg.wasm' });</script>\
        <script id=loopscope-offline>addEventListener(`load`,()=>{})</script>\
        <link crossorigin href=./loopscope-web-2b.js rel=modulepreload>\
        <link as=fetch crossorigin href=\"./loopscope-web-2b_bg.wasm\" rel=preload type=application/wasm>\
        </head><body></body></html>";

    #[test]
    fn reads_the_built_page_and_drops_its_assets_and_scripts() {
        let page = parse_page(BUILT).unwrap();
        assert_eq!(
            page,
            Page {
                head: "<!doctype html><html lang=en><meta charset=utf-8><title>Loopscope</title>\
                       <link href=data:, rel=icon>"
                    .to_string(),
                stylesheet: "style-1a.css".into(),
                app_glue: "loopscope-web-2b.js".into(),
                app_wasm: "loopscope-web-2b_bg.wasm".into(),
                body: "<body></body></html>".into(),
            }
        );
    }

    #[test]
    fn a_page_without_the_app_is_an_error() {
        assert!(parse_page("<html><head></head><body></body></html>").is_err());
        assert!(parse_page("<html><link href=./a.css rel=stylesheet><body>").is_err());
    }

    #[test]
    fn reads_attributes_quoted_or_not() {
        assert_eq!(
            attribute("<link href=./a.css rel=stylesheet>", "rel").as_deref(),
            Some("stylesheet")
        );
        assert_eq!(
            attribute("<link crossorigin href=\"./b c.js\">", "href").as_deref(),
            Some("./b c.js")
        );
        assert_eq!(attribute("<link data-href=x>", "href"), None);
        assert_eq!(
            attribute("<script type='module'>", "type").as_deref(),
            Some("module")
        );
    }

    #[test]
    fn assembles_one_file_with_nothing_to_fetch() {
        let page = parse_page(BUILT).unwrap();
        let html = assemble(
            &page,
            "body{margin:0}",
            "let a='</script>';",
            b"var x;",
            b"\0asm",
        )
        .unwrap();
        assert!(html.starts_with("<!doctype html><html lang=en>"), "{html}");
        assert!(html.contains("<style>body{margin:0}</style>"), "{html}");
        assert!(
            html.contains("let a='<\\/script>';</script></head><body></body></html>"),
            "{html}"
        );
        assert!(
            html.contains(&format!("b(\"{}\")", base64(b"var x;"))),
            "{html}"
        );
        assert!(html.contains("atob(\"AGFzbQ==\")"), "{html}");
        for gone in ["./", "loopscope-offline", "modulepreload", "integrity"] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(inline_script("a<!--b").is_err());
    }

    #[test]
    fn encodes_base64_as_atob_reads_it() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x80]), "//4AgA==");
    }

    #[test]
    fn js_strings_escape_quotes_and_backslashes() {
        assert_eq!(js_string("/a \"b\"\\c"), "\"/a \\\"b\\\"\\\\c\"");
    }
}
