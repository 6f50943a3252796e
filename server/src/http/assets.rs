//! The bundles' files under content-fingerprinted names, cached for a year.
//!
//! The page shells name `/pkg/agent-notify.<fingerprint>.wasm` (and so on for the
//! script, the stylesheet and the console's files), the fingerprint being a hash of
//! the file's bytes taken when the server starts. A request for a name whose
//! fingerprint is current is answered with `Cache-Control: public, max-age=31536000,
//! immutable`, so a second load of the widget transfers nothing but its HTML; any other
//! name (the plain one an older embedder may link, a fingerprint of a previous build)
//! gets the current file with `no-cache`. The brotli and gzip copies a release build
//! leaves beside the files are served to clients that accept them.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hasher;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// How long a fingerprinted file may be kept: a year, never revalidated.
pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else in the folder: kept, but asked about again before each use.
const REVALIDATE: &str = "no-cache";

/// The fingerprints of a folder's bundle files, by plain file name.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    by_name: HashMap<String, String>,
}

impl Fingerprints {
    /// Fingerprints the named files of `dir` that exist (the others keep their plain
    /// names).
    pub fn scan<'a>(dir: &Path, names: impl IntoIterator<Item = &'a str>) -> Self {
        let by_name = names
            .into_iter()
            .filter_map(|name| Some((name.to_owned(), fingerprint_file(&dir.join(name)).ok()?)))
            .collect();
        Self { by_name }
    }

    /// The name a page links `name` by: fingerprinted when the file was found.
    pub fn name(&self, name: &str) -> String {
        match (self.by_name.get(name), name.rsplit_once('.')) {
            (Some(print), Some((stem, extension))) => format!("{stem}.{print}.{extension}"),
            _ => name.to_owned(),
        }
    }

    /// The plain file a requested name stands for, and whether the name is current
    /// (its fingerprint is the file's).
    fn resolve<'a>(&self, requested: &'a str) -> (std::borrow::Cow<'a, str>, bool) {
        let split = requested.rsplit_once('.').and_then(|(rest, extension)| {
            let (stem, print) = rest.rsplit_once('.')?;
            let is_print = print.len() == 16 && print.bytes().all(|b| b.is_ascii_hexdigit());
            is_print.then(|| (format!("{stem}.{extension}"), print))
        });
        match split {
            Some((plain, print)) => {
                let current = self.by_name.get(&plain).is_some_and(|p| p == print);
                (plain.into(), current)
            }
            None => (requested.into(), false),
        }
    }
}

/// 64 bits of the standard library's SipHash over a file's bytes, in hex: enough to tell
/// two builds apart (the name only has to change when the bytes do). Read a piece at a
/// time: a bundle is megabytes, and the server's memory should not keep the trace of
/// holding it whole.
fn fingerprint_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = std::hash::DefaultHasher::new();
    let mut piece = vec![0; 64 * 1024];
    loop {
        match file.read(&mut piece)? {
            0 => return Ok(format!("{:016x}", hasher.finish())),
            n => hasher.write(&piece[..n]),
        }
    }
}

/// Serves `dir` (precompressed copies preferred), fingerprinted names included.
pub fn service(
    dir: &Path,
    prints: Fingerprints,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + 'static {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let prints = Arc::new(prints);
    tower::service_fn(move |mut request: Request| {
        let files = files.clone();
        let prints = prints.clone();
        async move {
            let path = request.uri().path().to_owned();
            let (folder, requested) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            let (plain, current) = prints.resolve(requested);
            if plain != requested {
                if let Ok(uri) = format!("{folder}/{plain}").parse::<Uri>() {
                    *request.uri_mut() = uri;
                }
            }
            let mut response = files.oneshot(request).await?.map(Body::new);
            let lifetime = if current && response.status() == StatusCode::OK {
                IMMUTABLE
            } else {
                REVALIDATE
            };
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(lifetime));
            Ok(response)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prints() -> Fingerprints {
        Fingerprints {
            by_name: HashMap::from([("agent-notify.wasm".into(), "0123456789abcdef".into())]),
        }
    }

    #[test]
    fn a_found_file_is_linked_by_its_fingerprinted_name() {
        assert_eq!(
            prints().name("agent-notify.wasm"),
            "agent-notify.0123456789abcdef.wasm"
        );
        assert_eq!(prints().name("agent-notify.css"), "agent-notify.css");
    }

    #[test]
    fn a_fingerprinted_name_stands_for_its_plain_file() {
        let (plain, current) = prints().resolve("agent-notify.0123456789abcdef.wasm");
        assert_eq!((plain.as_ref(), current), ("agent-notify.wasm", true));
        let (plain, current) = prints().resolve("agent-notify.fedcba9876543210.wasm");
        assert_eq!((plain.as_ref(), current), ("agent-notify.wasm", false));
        let (plain, current) = prints().resolve("agent-notify.wasm");
        assert_eq!((plain.as_ref(), current), ("agent-notify.wasm", false));
    }

    /// The fingerprint of `bytes` written to a file.
    fn fingerprint_of(bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bundle.wasm"), bytes).expect("written");
        fingerprint_file(&dir.path().join("bundle.wasm")).expect("read")
    }

    #[test]
    fn the_fingerprint_changes_with_the_bytes_and_only_with_them() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut changed = big.clone();
        changed[150_000] ^= 1;
        assert_eq!(fingerprint_of(&big), fingerprint_of(&big));
        assert_ne!(fingerprint_of(&big), fingerprint_of(&changed));
        // Read in pieces, the bytes hash as they would whole.
        let mut whole = std::hash::DefaultHasher::new();
        whole.write(&big);
        assert_eq!(fingerprint_of(&big), format!("{:016x}", whole.finish()));
    }
}
