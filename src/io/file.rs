//! Opening input files safely: only regular files are read. A named pipe would block the
//! reader until something writes to it, a device such as `/dev/zero` never ends, and a socket
//! cannot be opened at all; each is refused by its type, from the metadata, before the file
//! is opened for reading.

use std::fs::{File, Metadata};
use std::path::Path;

use super::{LoadError, LoadErrorKind};

/// A kind of file that is not a regular file (nor a folder, which has its own sentence).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialFile {
    /// A named pipe (FIFO).
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A character device (`/dev/zero`, a terminal).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// Anything else the system reports.
    Other,
}

impl SpecialFile {
    /// Its name in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            SpecialFile::Fifo => "a named pipe (FIFO)",
            SpecialFile::Socket => "a socket",
            SpecialFile::CharDevice => "a character device",
            SpecialFile::BlockDevice => "a block device",
            SpecialFile::Other => "not a regular file",
        }
    }

    fn of(file_type: std::fs::FileType) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_fifo() {
                return SpecialFile::Fifo;
            }
            if file_type.is_socket() {
                return SpecialFile::Socket;
            }
            if file_type.is_char_device() {
                return SpecialFile::CharDevice;
            }
            if file_type.is_block_device() {
                return SpecialFile::BlockDevice;
            }
        }
        let _ = file_type;
        SpecialFile::Other
    }
}

/// The metadata of `path` (symbolic links followed) if it is a regular file.
///
/// # Errors
/// [`LoadErrorKind::NotFound`], [`LoadErrorKind::Folder`],
/// [`LoadErrorKind::NotARegularFile`] or [`LoadErrorKind::Unreadable`].
pub fn regular_file_metadata(path: &Path) -> Result<Metadata, LoadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(LoadError::new(path, LoadErrorKind::NotFound));
        }
        Err(e) => {
            return Err(LoadError::new(
                path,
                LoadErrorKind::Unreadable {
                    reason: e.to_string(),
                },
            ));
        }
    };
    check_type(path, &meta)?;
    Ok(meta)
}

fn check_type(path: &Path, meta: &Metadata) -> Result<(), LoadError> {
    if meta.is_dir() {
        return Err(LoadError::new(path, LoadErrorKind::Folder));
    }
    if !meta.is_file() {
        return Err(LoadError::new(
            path,
            LoadErrorKind::NotARegularFile {
                kind: SpecialFile::of(meta.file_type()),
            },
        ));
    }
    Ok(())
}

/// Opens `path` for reading if it is a regular file (checked before opening, and again on
/// the opened file in case it was replaced in between); returns the file and its metadata.
///
/// # Errors
/// As [`regular_file_metadata`], or [`LoadErrorKind::Unreadable`] when it cannot be opened.
pub fn open_regular_file(path: &Path) -> Result<(File, Metadata), LoadError> {
    regular_file_metadata(path)?;
    let unreadable = |e: std::io::Error| {
        LoadError::new(
            path,
            LoadErrorKind::Unreadable {
                reason: e.to_string(),
            },
        )
    };
    let file = File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    check_type(path, &meta)?;
    Ok((file, meta))
}
