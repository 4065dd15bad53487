//! Errors of the library. Each names the input it is about, so that one line tells the user
//! which file (or record) failed and why.

use std::fmt;

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadErrorKind {
    #[error("cannot open: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty input")]
    Empty,
    #[error("no article text found")]
    NoText,
    #[error("binary data, not text ({0})")]
    Binary(String),
    #[error("too large: {size} bytes, the limit is {limit} (--max-bytes)")]
    TooLarge { size: u64, limit: u64 },
    /// A stream (standard input) longer than a document may be, cut off at the limit.
    #[error("too large: over {limit} bytes, the limit per document (--max-bytes)")]
    StreamTooLarge { limit: u64 },
    /// A named pipe, socket or device: only regular files are read (a pipe can block forever,
    /// a device can be endless).
    #[error("not a regular file ({0}); only files and folders are read (pipe data through `-`, stdin)")]
    NotRegular(&'static str),
    #[error("invalid UTF-8 at byte {0} (the rest of the text is UTF-8; pass --lossy to replace bad bytes)")]
    BrokenUtf8(usize),
    #[error("bad JSON: {0}")]
    Json(String),
    #[error("bad CSV row: {0}")]
    Csv(String),
    #[error("{0}")]
    Field(String),
    #[error("no such file or directory")]
    NotFound,
    #[error("no files in this folder")]
    EmptyFolder,
    #[error("bad glob pattern: {0}")]
    Glob(String),
    /// Compressed data that does not decompress (corrupt, or cut short).
    #[error("bad {codec} data: {reason}")]
    Decompress { codec: &'static str, reason: String },
    /// Compressed data that grows past the limit (a compression bomb, or a file too large).
    #[error("decompresses to over {limit} bytes, the limit (--max-bytes for one document, the file limit for CSV, JSON Lines and WARC): refused")]
    DecompressedTooLarge { limit: u64 },
    /// A WARC record that cannot be read (the other records of the file still are).
    #[error("bad WARC record: {0}")]
    Warc(String),
}

/// An input that could not be read, and why.
#[derive(Debug)]
pub struct ReadError {
    /// The input's name (path, `-`, `path:line`).
    pub input: String,
    pub kind: ReadErrorKind,
}

impl ReadError {
    pub fn new(input: impl Into<String>, kind: ReadErrorKind) -> Self {
        ReadError { input: input.into(), kind }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, always: newlines inside a reason would break log parsing.
        let reason = self.kind.to_string().replace(['\n', '\r'], " ");
        write!(f, "{}: {}", self.input, reason)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.kind.source()
    }
}
