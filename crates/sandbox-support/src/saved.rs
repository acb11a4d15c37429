//! A sandbox's world in memory, written to a file after every change when asked to, and opened
//! from it again: one save at a time, each of a snapshot taken after the previous one's, to a
//! temporary file renamed over the state, so a kill at any moment leaves the old state or the
//! new one, never half of one.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a saved sandbox state cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot read the sandbox state {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error(
        "the sandbox state {path} is not a sandbox state ({source}); nothing was replaced — move the file away to start from the seed"
    )]
    Corrupt { path: PathBuf, source: serde_json::Error },
}

pub struct SavedWorld<W> {
    world: Mutex<W>,
    path: Option<PathBuf>,
    saving: Mutex<()>,
}

impl<W: Serialize + DeserializeOwned> SavedWorld<W> {
    /// The state saved in `path`, if there is one. A file that is there but cannot be read or
    /// parsed is an error: replacing it with a seed would silently lose what it held.
    pub fn load(path: Option<&Path>) -> Result<Option<W>, OpenError> {
        let Some(path) = path else { return Ok(None) };
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|source| OpenError::Corrupt { path: path.to_owned(), source }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(OpenError::Read { path: path.to_owned(), source }),
        }
    }

    /// `world`, written to `path` (when given) now and after every change.
    pub fn new(world: W, path: Option<PathBuf>) -> Self {
        let saved = SavedWorld { world: Mutex::new(world), path, saving: Mutex::new(()) };
        saved.save();
        saved
    }

    pub fn read<T>(&self, f: impl FnOnce(&W) -> T) -> T {
        f(&self.world.lock().expect("world lock"))
    }

    /// Changes the world and saves it.
    pub fn write<T>(&self, f: impl FnOnce(&mut W) -> T) -> T {
        let out = f(&mut self.world.lock().expect("world lock"));
        self.save();
        out
    }

    fn save(&self) {
        let Some(path) = &self.path else { return };
        let _one_writer = self.saving.lock().expect("save lock");
        let bytes = match serde_json::to_vec(&*self.world.lock().expect("world lock")) {
            Ok(bytes) => bytes,
            Err(err) => return tracing::warn!(error = %err, "sandbox state not saved"),
        };
        let tmp = path.with_extension("tmp");
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(err) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
            tracing::warn!(error = %err, path = %path.display(), "sandbox state not saved");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_world_opens_as_it_was_and_a_corrupt_file_is_an_error_not_a_seed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(SavedWorld::<Vec<u32>>::load(Some(&path)).unwrap().is_none(), "no file: start from the seed");
        let saved = SavedWorld::new(vec![1], Some(path.clone()));
        saved.write(|w| w.push(2));
        assert_eq!(SavedWorld::<Vec<u32>>::load(Some(&path)).unwrap(), Some(vec![1, 2]));
        assert!(!path.with_extension("tmp").exists());
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(SavedWorld::<Vec<u32>>::load(Some(&path)), Err(OpenError::Corrupt { .. })));
        assert!(SavedWorld::<Vec<u32>>::load(None).unwrap().is_none());
    }
}
