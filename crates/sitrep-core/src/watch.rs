//! Watching folders: files that appear or change are ingested once they are stable.
//!
//! The OS tells of changes (notify: inotify, FSEvents, ReadDirectoryChangesW); each event only
//! marks its path. A marked file is read once it has had no event for the settle time *and*
//! its size and modification time are what they were at its last event (a file still being
//! written, even slowly, keeps changing and waits). What was ingested is kept in the store
//! (path, size, modification time), so a restart reads what arrived or changed while it was
//! down and nothing else. Deleted files change nothing stored. Hidden files and editors'
//! temporary files (`.x`, `x~`, `x.tmp`, `x.part`, `x.swp`) are skipped.

use crate::ingest::Summary;
use crate::read::{Input, ReadOptions};
use crate::store::{FusionCounts, Store, StoreError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How watching behaves.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// How long a file must stay unchanged before it is read.
    pub settle: Duration,
    pub read: ReadOptions,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions { settle: Duration::from_secs(2), read: ReadOptions::default() }
    }
}

/// Errors of watching.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{path}: cannot watch: {reason}")]
    Watch { path: String, reason: String },
}

/// What one round of ingesting stable files did.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub files: Vec<String>,
    pub summary: Summary,
    pub fusion: FusionCounts,
}

/// A file's size and modification time (ns since the epoch).
fn stat(path: &Path) -> Option<(u64, i64)> {
    let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    let t = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos() as i64;
    Some((m.len(), t))
}

/// Whether a path is skipped: hidden, or an editor's or downloader's temporary file.
pub fn skipped(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return true };
    name.starts_with('.') || name.ends_with('~') || [".tmp", ".part", ".swp", ".crdownload"].iter().any(|s| name.ends_with(s))
}

/// Files under the folders whose size or modification time differ from what the store
/// ingested: what arrived or changed while nothing watched.
pub fn changed_since_last_run(store: &dyn Store, dirs: &[PathBuf]) -> Result<Vec<PathBuf>, StoreError> {
    let mut out = Vec::new();
    for dir in dirs {
        let walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_entry(|e| e.depth() == 0 || !skipped(e.path()));
        for entry in walk.filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
            let p = entry.path();
            if let Some(now) = stat(p) {
                if store.watched_file(&p.display().to_string())? != Some(now) {
                    out.push(p.to_path_buf());
                }
            }
        }
    }
    Ok(out)
}

/// Reads and ingests files (each recorded with the size and time it had when read), then fuses.
pub fn ingest_files(store: &mut dyn Store, files: &[PathBuf], opts: &ReadOptions) -> Result<Batch, StoreError> {
    let mut batch = Batch::default();
    let mut done = Vec::new();
    let outcome = crate::ingest::run(store, &crate::ingest::Policy::default(), |ing| {
        for f in files {
            let Some(before) = stat(f) else { continue };
            let mut articles = Vec::new();
            crate::read::read_input(&Input::Path(f.clone()), opts, &mut |r| articles.push(r));
            for a in articles {
                match a {
                    Ok(a) => {
                        if !ing.push(a) {
                            return;
                        }
                    }
                    Err(e) => ing.failed(e.input.clone(), e.kind.to_string()),
                }
            }
            done.push((f.display().to_string(), before));
        }
    });
    (batch.summary, batch.fusion) = outcome.into_result()?;
    for (path, (size, modified)) in &done {
        store.set_watched_file(path, *size, *modified)?;
    }
    batch.files = done.into_iter().map(|(p, _)| p).collect();
    Ok(batch)
}

/// Watches the folders until `stop` is set: first catches up with what changed while nothing
/// watched, then ingests each file that appears or changes once it is stable, handing each
/// round to `on_batch` (to print, to alert).
pub fn watch(
    store: &mut dyn Store,
    dirs: &[PathBuf],
    opts: &WatchOptions,
    stop: &AtomicBool,
    on_batch: &mut dyn FnMut(&mut dyn Store, &Batch),
) -> Result<(), WatchError> {
    use notify::Watcher;
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| WatchError::Watch { path: "-".into(), reason: e.to_string() })?;
    for d in dirs {
        watcher
            .watch(d, notify::RecursiveMode::Recursive)
            .map_err(|e| WatchError::Watch { path: d.display().to_string(), reason: e.to_string() })?;
    }
    // Marked paths: when their last event came, and their size and time then.
    let mut pending: HashMap<PathBuf, (Instant, Option<(u64, i64)>)> = HashMap::new();
    for p in changed_since_last_run(store, dirs)? {
        let s = stat(&p);
        pending.insert(p, (Instant::now(), s));
    }
    let tick = (opts.settle / 4).clamp(Duration::from_millis(20), Duration::from_millis(500));
    while !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(tick) {
            Ok(Ok(event)) => {
                if matches!(event.kind, notify::EventKind::Access(_) | notify::EventKind::Remove(_)) {
                    continue;
                }
                for p in event.paths {
                    if skipped(&p) {
                        continue;
                    }
                    if p.is_dir() {
                        // A folder moved in: its files are new.
                        for e in walkdir::WalkDir::new(&p).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
                            if !skipped(e.path()) {
                                pending.insert(e.path().to_path_buf(), (Instant::now(), stat(e.path())));
                            }
                        }
                    } else {
                        let s = stat(&p);
                        pending.insert(p, (Instant::now(), s));
                    }
                }
            }
            Ok(Err(e)) => return Err(WatchError::Watch { path: "-".into(), reason: e.to_string() }),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
        // Files quiet for the settle time and unchanged since their last event are stable.
        let mut stable = Vec::new();
        pending.retain(|p, (at, seen)| {
            if at.elapsed() < opts.settle {
                return true;
            }
            let now = stat(p);
            if now.is_none() {
                return false; // deleted (or not a file): nothing to do
            }
            if now != *seen {
                *at = Instant::now();
                *seen = now;
                return true;
            }
            stable.push(p.clone());
            false
        });
        if stable.is_empty() {
            continue;
        }
        stable.sort();
        // Unchanged since the store read it (touched, or an event for a file read at start).
        let mut fresh = Vec::new();
        for p in stable {
            if store.watched_file(&p.display().to_string())? != stat(&p) {
                fresh.push(p);
            }
        }
        if !fresh.is_empty() {
            let batch = ingest_files(store, &fresh, &opts.read)?;
            on_batch(store, &batch);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EventStore, SqliteStore};
    use std::io::Write;
    use std::sync::Arc;

    const STORY: [&str; 3] = [
        "Marea falls\n\nISIS militants captured the town of Marea on Monday, ",
        "killing 12 rebels, a monitor said.\n\nResidents said the fighting went on ",
        "into the night.\n",
    ];

    /// Waits (up to a minute) for a condition; no timing is asserted.
    fn eventually(mut f: impl FnMut() -> bool) -> bool {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            if f() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    #[test]
    fn a_file_written_in_pieces_is_ingested_once_whole_and_a_restart_catches_up() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let db = dir.path().join("t.db");
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(std::sync::Mutex::new(Vec::<Batch>::new()));
        let start = |stop: Arc<AtomicBool>, rounds: Arc<std::sync::Mutex<Vec<Batch>>>| {
            let (db, inbox) = (db.clone(), inbox.clone());
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&db).unwrap();
                let opts = WatchOptions { settle: Duration::from_millis(1000), ..WatchOptions::default() };
                watch(&mut store, &[inbox], &opts, &stop, &mut |_, b| rounds.lock().unwrap().push(b.clone())).unwrap();
            })
        };
        let t = start(stop.clone(), rounds.clone());
        std::thread::sleep(Duration::from_millis(200)); // the watch is set up
        let path = inbox.join("story.txt");
        let mut f = std::fs::File::create(&path).unwrap();
        for piece in STORY {
            f.write_all(piece.as_bytes()).unwrap();
            f.flush().unwrap();
            std::thread::sleep(Duration::from_millis(100));
        }
        drop(f);
        std::fs::write(inbox.join(".hidden.txt"), "skipped").unwrap();
        assert!(eventually(|| !rounds.lock().unwrap().is_empty()), "the file was ingested");
        // Quiet a while longer: no second ingest of the same file.
        std::thread::sleep(Duration::from_millis(1500));
        {
            let r = rounds.lock().unwrap();
            assert_eq!(r.len(), 1, "{r:?}");
            assert_eq!(r[0].files, vec![path.display().to_string()]);
            assert_eq!((r[0].summary.read, r[0].summary.new), (1, 1));
        }
        let store = SqliteStore::open_read_only(&db).unwrap();
        let ids = store.article_ids().unwrap();
        assert_eq!(ids.len(), 1);
        let a = store.article(&ids[0]).unwrap().unwrap().article;
        assert!(a.body().contains("killing 12 rebels") && a.body().ends_with("into the night."), "whole: {}", a.body());
        drop(store);
        // Deleted: nothing stored changes.
        std::fs::remove_file(&path).unwrap();
        std::thread::sleep(Duration::from_millis(600));
        stop.store(true, Ordering::Relaxed);
        t.join().unwrap();
        assert_eq!(rounds.lock().unwrap().len(), 1);

        // While nothing watches, a file arrives; the next watch reads it first, and only it.
        std::fs::write(inbox.join("later.txt"), "Azaz\n\nISIS militants captured the town of Azaz on Monday, killing 3 rebels.\n").unwrap();
        let (stop2, rounds2) = (Arc::new(AtomicBool::new(false)), Arc::new(std::sync::Mutex::new(Vec::<Batch>::new())));
        let t = start(stop2.clone(), rounds2.clone());
        assert!(eventually(|| !rounds2.lock().unwrap().is_empty()));
        stop2.store(true, Ordering::Relaxed);
        t.join().unwrap();
        let r = rounds2.lock().unwrap();
        assert_eq!(r[0].files, vec![inbox.join("later.txt").display().to_string()]);
        assert_eq!(SqliteStore::open_read_only(&db).unwrap().counts().unwrap().0, 2);
    }
}
