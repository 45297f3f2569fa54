//! Source positions shared by every stage.

/// The largest source file vexc reads (E0008 beyond): 4 MiB, far more than any hand-written
/// file, and it bounds the time (a few seconds) and memory (under 1 GB) of a compilation of the
/// densest code. Spans are `u32`, so this also keeps every offset representable.
pub const MAX_SOURCE_BYTES: u64 = 4 << 20;

/// The E0008 message for a source file of `len` bytes.
pub fn too_large_message(name: &str, len: u64) -> String {
    let size = if len > MAX_SOURCE_BYTES + 1 {
        format!("{:.1} MiB", len as f64 / (1u64 << 20) as f64)
    } else {
        format!("more than {} MiB", MAX_SOURCE_BYTES >> 20) // read up to the limit (a pipe, a device)
    };
    format!("`{name}` is too large: {size}, and a source file may have at most {} MiB", MAX_SOURCE_BYTES >> 20)
}

/// Why a source file could not be loaded.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// More than [`MAX_SOURCE_BYTES`] (the size, or `MAX_SOURCE_BYTES + 1` for a file whose
    /// size is not known in advance).
    TooLarge(u64),
    /// Not UTF-8: the first invalid byte's offset, its 1-based line and byte column, and the byte.
    NotUtf8 { offset: usize, line: usize, col: usize, byte: u8 },
}

/// Reads a source file: at most [`MAX_SOURCE_BYTES`] (never more, so `/dev/zero` does not
/// exhaust memory), valid UTF-8.
pub fn read_source(path: &std::path::Path) -> Result<String, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if meta.is_dir() {
        return Err(ReadError::Io(std::io::Error::other("it is a directory")));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..offset];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = offset - valid.iter().rposition(|&b| b == b'\n').map(|p| p + 1).unwrap_or(0) + 1;
        ReadError::NotUtf8 { offset, line, col, byte: e.as_bytes()[offset] }
    })
}

/// Index of a source file in a `SourceMap`.
pub type FileId = u32;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both (both must be in the same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
}

/// A loaded source file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (used in diagnostics and `#line` directives).
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile { name: name.into(), text, line_starts }
    }

    /// 1-based line and column (column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map(|s| s.chars().count()).unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// 0-based index of the line holding byte `offset` (the text's length: the last line).
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Number of lines (a final line without `\n` counts; an empty text has one line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte range of the 0-based line `line`, without its `\n`.
    pub fn line_bounds(&self, line: usize) -> (usize, usize) {
        let start = self.line_starts[line];
        let end = self.line_starts.get(line + 1).map(|&next| next - 1).unwrap_or(self.text.len());
        (start, end)
    }

    pub fn line_of(&self, span: Span) -> usize {
        self.line_col(span.start as usize).0
    }
}

/// All source files of one compilation.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    pub files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        (self.files.len() - 1) as FileId
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }
}
