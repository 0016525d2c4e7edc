//! Single files between a server and this machine, each counted done only
//! when whole: a download lands in a temporary twin beside its target and
//! is renamed over it only then, so a failed one never destroys the file
//! that was there; a retry takes the twin (or the server's copy of an
//! upload) up where the last try stopped, where the server resumes.

use crate::error::{read_error, write_error};
use crate::job::{Job, LocalSide, Moving};
use crate::{Download, Error, Feature, Result, Session, TransferType};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Bytes read from a local source at a time.
const CHUNK: usize = 1 << 20;

/// How a download or upload went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileDone {
    /// The file's size once done, bytes resumed included.
    pub size: u64,
    /// Where the last try started: bytes kept from the target as it was,
    /// or from an earlier try.
    pub resumed_from: u64,
    /// Nothing needed moving: the target already had all of it.
    pub already_complete: bool,
    /// The size was checked against the server's (its 150 reply or SIZE
    /// for a download, SIZE after an upload); `false` when it gave none.
    pub size_checked: bool,
}

/// Where an upload starts in the remote file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Start {
    /// STOR from byte 0 (a retry after the server took data appends what
    /// it lacks).
    #[default]
    Whole,
    /// Only what the remote file lacks: SIZE, then APPE.
    Resume,
    /// From this byte of both files: REST, then STOR (ftplib's `rest=`).
    At(u64),
}

/// Whether the server resumes transfers at an offset (FEAT `REST STREAM`,
/// RFC 3659): only then is a part already copied kept.
pub fn resumes(session: &mut Session) -> bool {
    session
        .features()
        .is_ok_and(|features| features.iter().any(rest_stream))
}

fn rest_stream(f: &Feature) -> bool {
    f.name == "REST" && f.params.to_ascii_uppercase().contains("STREAM")
}

/// Runs `f` in ASCII mode when asked, going back to binary after, so the
/// session goes back to its pool as it came.
fn in_mode<T>(session: &mut Session, ascii: bool, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
    if !ascii {
        return f(session);
    }
    session.set_transfer_type(TransferType::Ascii)?;
    let done = f(session);
    let back = session.set_transfer_type(TransferType::Binary);
    let done = done?;
    back?;
    Ok(done)
}

/// The bytes a download should deliver: what the server announced, else
/// (binary only) its SIZE less the offset.
fn expected(download: &mut Download<'_>, size: Option<u64>, offset: u64, ascii: bool) -> Result<Option<u64>> {
    let announced = download.expected_size()?;
    Ok(announced.or_else(|| size.filter(|_| !ascii).map(|s| s.saturating_sub(offset))))
}

/// Copies a download to `out`, then checks its end: the server's final
/// reply, and the byte count where the size is known.
fn receive(
    moving: &mut Moving<'_, '_>,
    mut download: Download<'_>,
    expected: Option<u64>,
    out: &mut impl Write,
    local: &LocalSide<'_>,
) -> Result<u64> {
    let copied = moving.pump(&mut download, out, local)?;
    ended(download, expected, copied)
}

/// The end of a download that delivered `copied` bytes: the server's
/// final reply, and the count against the size it announced.
fn ended(download: Download<'_>, expected: Option<u64>, copied: u64) -> Result<u64> {
    download.finish()?;
    match expected {
        Some(expected) if expected != copied => Err(Error::Partial {
            expected,
            received: copied,
        }),
        _ => Ok(copied),
    }
}

impl Job<'_> {
    /// Downloads `remote` to `local`, replacing it only once the whole
    /// file has arrived.
    pub fn download(&self, remote: &str, local: &Path) -> Result<FileDone> {
        self.download_with(remote, local, false, false)
    }

    /// [`download`](Self::download) with the choices `wftp get` has:
    /// `resume` appends to `local` from its size (REST; curl's `-C -`),
    /// checked against the server's SIZE, and a local file already as
    /// large is `already_complete`; `ascii` converts line endings (and so
    /// neither resumes nor checks the size).
    pub fn download_with(&self, remote: &str, local: &Path, resume: bool, ascii: bool) -> Result<FileDone> {
        if resume && ascii {
            return Err(Error::InvalidInput("resuming needs a binary transfer".into()));
        }
        let in_place = resume && std::fs::metadata(local).is_ok_and(|m| m.len() > 0);
        let mut twin = (!in_place).then(|| Twin::new(local));
        let result = self.retrying(remote, |session, _| {
            in_mode(session, ascii, |session| match &mut twin {
                Some(twin) => self.fetch_replacing(session, remote, twin, ascii),
                None => self.fetch_in_place(session, remote, local),
            })
        });
        self.finished(remote, &result, |done| done.size);
        result
    }

    /// Downloads `remote` into `out` (standard output, a buffer). A
    /// stream cannot be rewound, so it gets one try; what was written
    /// before a failure stays written.
    pub fn download_to(&self, remote: &str, out: &mut impl Write, ascii: bool) -> Result<FileDone> {
        let result = self.retrying_up_to(0, remote, |session, _| {
            in_mode(session, ascii, |session| {
                let size = session.size(remote).ok();
                let mut download = session.retrieve(remote)?;
                let expected = expected(&mut download, size, 0, ascii)?;
                let mut moving = self.start(remote, expected, 0);
                let copied = receive(&mut moving, download, expected, out, &LocalSide::Target(Path::new("-")))?;
                moving.keep();
                Ok(FileDone {
                    size: copied,
                    size_checked: expected.is_some(),
                    ..FileDone::default()
                })
            })
        });
        self.finished(remote, &result, |done| done.size);
        result
    }

    /// One try into the twin, from what earlier tries left there where the
    /// server resumes (from 0 where it does not, or in ASCII).
    fn fetch_replacing(&self, session: &mut Session, remote: &str, twin: &mut Twin, ascii: bool) -> Result<FileDone> {
        if twin.written > 0 && (ascii || !resumes(session)) {
            twin.reset()?;
        }
        let offset = twin.written;
        let size = session.size(remote).ok();
        let mut download = session.retrieve_from(remote, offset)?;
        let expected = expected(&mut download, size, offset, ascii)?;
        let mut moving = self.start(remote, expected.map(|e| e + offset), offset);
        let local = LocalSide::Target(&twin.path.clone());
        if let Err(e) = moving.pump(&mut download, twin, &local) {
            if matches!(e, Error::Cancelled) {
                // Gone at once: the abort, as the download drops, may wait
                // for the server's reply.
                twin.discard();
            }
            return Err(e);
        }
        let received = ended(download, expected, twin.written - offset);
        if matches!(received, Err(Error::Partial { expected, received }) if received > expected) {
            // An overrun's bytes cannot be trusted, so none are kept.
            twin.reset()?;
        }
        let copied = received?;
        twin.persist()?;
        moving.keep();
        Ok(FileDone {
            size: offset + copied,
            resumed_from: offset,
            already_complete: false,
            size_checked: expected.is_some(),
        })
    }

    /// One try appending to `local` from its size. When more arrives than
    /// the rest of the file (a server that ignored REST and sent it from
    /// the start), the file is cut back to where it was.
    fn fetch_in_place(&self, session: &mut Session, remote: &str, local: &Path) -> Result<FileDone> {
        let offset = std::fs::metadata(local).map(|m| m.len()).unwrap_or(0);
        let size = session.size(remote).ok();
        if let Some(size) = size.filter(|_| offset > 0) {
            if offset > size {
                return Err(Error::CannotResume { offset, size });
            }
            if offset == size {
                return Ok(FileDone {
                    size,
                    resumed_from: offset,
                    already_complete: true,
                    size_checked: true,
                });
            }
        }
        let mut download = session.retrieve_from(remote, offset)?;
        let expected = expected(&mut download, size, offset, false)?;
        let mut moving = self.start(remote, expected.map(|e| e + offset), offset);
        let mut file = OpenOptions::new()
            .append(true)
            .create(true)
            .open(local)
            .map_err(write_error(local))?;
        let received = receive(&mut moving, download, expected, &mut file, &LocalSide::Target(local));
        if let (Err(Error::Partial { .. }), Some(expected)) = (&received, expected) {
            let len = file.metadata().map_err(write_error(local))?.len();
            if len > offset + expected {
                file.set_len(offset).map_err(write_error(local))?;
            }
        }
        let copied = received?;
        moving.keep();
        Ok(FileDone {
            size: offset + copied,
            resumed_from: offset,
            already_complete: false,
            size_checked: expected.is_some(),
        })
    }

    /// Uploads `local` to `remote` (STOR), checked by the server's SIZE
    /// where it has one.
    pub fn upload(&self, local: &Path, remote: &str) -> Result<FileDone> {
        self.upload_with(local, remote, Start::Whole, false)
    }

    /// [`upload`](Self::upload) from `start`, in ASCII when asked (which
    /// neither resumes nor checks the size). The file is opened and its
    /// first chunk read before anything is sent, so a local failure never
    /// leaves the remote file truncated. A retry after a try the server
    /// took data from sends only what it lacks (SIZE, then APPE): before
    /// that, the server's file may be an older one, never added to.
    pub fn upload_with(&self, local: &Path, remote: &str, start: Start, ascii: bool) -> Result<FileDone> {
        if ascii && start != Start::Whole {
            return Err(Error::InvalidInput("resuming needs a binary transfer".into()));
        }
        let mut sent = false;
        let result = self.retrying(remote, |session, _| {
            let source = Source::open(local)?;
            let start = match start {
                Start::Whole if sent && !ascii => Start::Resume,
                start => start,
            };
            in_mode(session, ascii, |session| {
                self.send(session, source, remote, start, ascii, &mut sent)
            })
        });
        self.finished(remote, &result, |done| done.size);
        result
    }

    /// Uploads what `reader` gives (standard input) to `remote`: one try,
    /// since it cannot be read again.
    pub fn upload_from(&self, reader: impl Read, remote: &str, ascii: bool) -> Result<FileDone> {
        let mut reader = Some(BufReader::with_capacity(CHUNK, reader));
        let result = self.retrying_up_to(0, remote, |session, _| {
            let Some(mut reader) = reader.take() else {
                return Err(Error::InvalidInput("the stream was already read".into()));
            };
            in_mode(session, ascii, |session| {
                let mut upload = session.store(remote)?;
                let mut moving = self.start(remote, None, 0);
                let copied = moving.pump(&mut reader, &mut upload, &LocalSide::Source(Path::new("-")))?;
                upload.finish()?;
                let size_checked = !ascii && session.verify_size(remote, copied)?;
                moving.keep();
                Ok(FileDone {
                    size: copied,
                    size_checked,
                    ..FileDone::default()
                })
            })
        });
        self.finished(remote, &result, |done| done.size);
        result
    }

    /// One try at an upload; `sent` is set once the server takes its data.
    fn send(
        &self,
        session: &mut Session,
        source: Source,
        remote: &str,
        start: Start,
        ascii: bool,
        sent: &mut bool,
    ) -> Result<FileDone> {
        let len = source.len;
        let offset = match start {
            Start::Whole => 0,
            Start::At(at) => at,
            Start::Resume => match session.size(remote) {
                Ok(size) => size,
                Err(Error::Permanent(r)) if r.code == 550 => 0,
                Err(e) => return Err(e),
            },
        };
        if offset > len {
            return Err(Error::CannotResume { offset, size: len });
        }
        if start == Start::Resume && offset == len {
            return Ok(FileDone {
                size: len,
                resumed_from: offset,
                already_complete: true,
                size_checked: true,
            });
        }
        let (path, mut reader) = source.from(offset)?;
        let mut upload = match start {
            Start::At(at) if at > 0 => session.store_from(remote, at)?,
            Start::Resume if offset > 0 => session.append(remote)?,
            _ => session.store(remote)?,
        };
        *sent = true;
        let mut moving = self.start(remote, Some(len), offset);
        let copied = moving.pump(&mut reader, &mut upload, &LocalSide::Source(&path))?;
        upload.finish()?;
        // The server must now hold the whole file (where it can say).
        let size_checked = !ascii && session.verify_size(remote, offset + copied)?;
        moving.keep();
        Ok(FileDone {
            size: offset + copied,
            resumed_from: offset,
            already_complete: false,
            size_checked,
        })
    }
}

/// A local file to upload, opened with its first chunk read.
struct Source {
    path: PathBuf,
    reader: BufReader<File>,
    len: u64,
}

impl Source {
    fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(read_error(path))?;
        let meta = file.metadata().map_err(read_error(path))?;
        if meta.is_dir() {
            return Err(read_error(path)(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            )));
        }
        let mut reader = BufReader::with_capacity(CHUNK, file);
        reader.fill_buf().map_err(read_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            reader,
            len: meta.len(),
        })
    }

    /// The bytes from `offset` on.
    fn from(mut self, offset: u64) -> Result<(PathBuf, BufReader<File>)> {
        if offset > 0 {
            self.reader
                .seek(SeekFrom::Start(offset))
                .map_err(read_error(&self.path))?;
        }
        Ok((self.path, self.reader))
    }
}

/// A download's temporary twin (`.wftp-*.part` beside its target), made
/// when the first bytes arrive (or the transfer ends), so a server that
/// refuses only after its 150 leaves nothing behind. It lasts across tries,
/// so a later one can take up where an earlier one stopped, and is removed
/// if the download never completes.
pub(crate) struct Twin {
    path: PathBuf,
    file: Option<NamedTempFile>,
    /// Bytes written so far.
    written: u64,
}

/// The names twins (and a tree download's partial files) carry.
pub(crate) const PARTIAL_PREFIX: &str = ".wftp-";
pub(crate) const PARTIAL_SUFFIX: &str = ".part";

impl Twin {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            file: None,
            written: 0,
        }
    }

    fn open(&mut self) -> io::Result<&mut NamedTempFile> {
        let file = match self.file.take() {
            Some(file) => file,
            None => {
                let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
                tempfile::Builder::new()
                    .prefix(PARTIAL_PREFIX)
                    .suffix(PARTIAL_SUFFIX)
                    .tempfile_in(dir.unwrap_or(Path::new(".")))?
            }
        };
        Ok(self.file.insert(file))
    }

    /// Removes the file, if it was made, and starts over.
    fn discard(&mut self) {
        self.file = None;
        self.written = 0;
    }

    /// Starts over from byte 0.
    fn reset(&mut self) -> Result<()> {
        if let Some(file) = self.file.as_mut() {
            file.as_file().set_len(0).map_err(write_error(&self.path))?;
            file.seek(SeekFrom::Start(0)).map_err(write_error(&self.path))?;
        }
        self.written = 0;
        Ok(())
    }

    /// Renames the twin over its target.
    fn persist(&mut self) -> Result<()> {
        let path = self.path.clone();
        self.open().map_err(write_error(&path))?;
        if let Some(file) = self.file.take() {
            file.persist(&path).map_err(|e| write_error(&path)(e.error))?;
        }
        Ok(())
    }
}

impl Write for Twin {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.open()?.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), Write::flush)
    }
}
