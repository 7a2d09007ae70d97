//! Loading the modules a unit imports: `import geometry` reads `geometry.kl` from
//! the directory of the importing file (the current directory for a unit without
//! one, such as a REPL entry), and the session checks it as a unit of its own
//! (`kiln_sema::Session::check_module`), after the modules it imports and before
//! the importer.
//!
//! A module is loaded once per engine, keyed by its file's canonical path, however
//! many units import it; its lowered code waits in `Engine::pending` until a unit
//! that imports it (directly or through other modules) compiles, and its top-level
//! code runs once, before that unit's, in the order the modules were loaded (depth
//! first, in import order). A unit with errors changes nothing: a module loaded
//! for it goes on waiting (its code does not run with the next unit), and a module
//! that had errors is read again by the next unit that imports it (it may have
//! been fixed). The checker never touches files: this is the only place that reads
//! a module.

use super::{mir, CompileError, Engine};
use kiln_sema::ModuleId;
use kiln_syntax::ast::{self, ItemKind};
use kiln_syntax::Diagnostic;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The modules an engine has loaded.
#[derive(Default)]
pub(super) struct Modules {
    /// Each module checked, by its file's canonical path.
    loaded: HashMap<PathBuf, ModuleId>,
    /// Modules that had errors while the current unit's imports were loaded
    /// (reported once, not again for each importer of that unit).
    failed: HashSet<PathBuf>,
    /// The modules each loaded module imports.
    imports: HashMap<ModuleId, Vec<ModuleId>>,
    /// Waiting modules that the unit being compiled imports: compiled and run
    /// with it.
    ready: HashSet<ModuleId>,
}

/// The directory a unit's imports are looked for in: its file's, or the current
/// directory for a unit that has no file (`<repl>`).
pub(super) fn base_dir(name: &str) -> PathBuf {
    if name.starts_with('<') {
        return PathBuf::from(".");
    }
    match Path::new(name).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The path a module is known by: its canonical path when the file exists.
fn key_of(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The file name shown in an import cycle.
fn short_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// The files being loaded, importer first: an import of one of them is a cycle.
pub(super) struct Chain(Vec<PathBuf>);

impl Chain {
    /// The chain of a unit named `name` (a file, or `<repl>` for none).
    pub(super) fn starting_at(name: &str) -> Chain {
        if name.starts_with('<') {
            Chain(Vec::new())
        } else {
            Chain(vec![key_of(Path::new(name))])
        }
    }
}

impl Engine {
    /// Loads the modules a unit imports (see [`Engine::load_imports`]), forgetting
    /// which modules had errors for an earlier unit.
    pub(super) fn load_unit_imports(
        &mut self,
        module: &ast::Module,
        name: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Vec<(String, ModuleId)>, CompileError> {
        self.modules.failed.clear();
        let mut chain = Chain::starting_at(name);
        self.load_imports(module, &base_dir(name), &mut chain, diags)
    }

    /// Marks the waiting modules that a unit importing `imports` needs (those and
    /// everything they import) to be compiled and run with it: called once the
    /// unit is checked and lowered.
    pub(super) fn ready_imports(&mut self, imports: &[(String, ModuleId)]) {
        let mut todo: Vec<ModuleId> = imports.iter().map(|&(_, id)| id).collect();
        while let Some(id) = todo.pop() {
            if self.modules.ready.insert(id) {
                todo.extend(self.modules.imports.get(&id).into_iter().flatten());
            }
        }
    }

    /// Takes the waiting modules marked by [`Engine::ready_imports`], in the order
    /// they were loaded; the others go on waiting.
    pub(super) fn take_ready_modules(&mut self) -> Vec<mir::lower::LoweredUnit> {
        let ready = std::mem::take(&mut self.modules.ready);
        let (run, wait) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(id, _)| ready.contains(id));
        self.pending = wait;
        run.into_iter().map(|(_, unit)| unit).collect()
    }

    /// Loads every module `module` imports that this engine has not loaded yet
    /// (with the modules they import), checking and lowering each; returns the
    /// module each imported name binds. Errors in the modules, missing modules and
    /// import cycles are added to `diags`.
    pub(super) fn load_imports(
        &mut self,
        module: &ast::Module,
        dir: &Path,
        chain: &mut Chain,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Vec<(String, ModuleId)>, CompileError> {
        let mut bound = Vec::new();
        for item in &module.items {
            let ItemKind::Import(name) = &item.kind else {
                continue;
            };
            let file = format!("{}.kl", name.name);
            let path = if dir == Path::new(".") {
                PathBuf::from(file)
            } else {
                dir.join(file)
            };
            let key = key_of(&path);
            if let Some(&id) = self.modules.loaded.get(&key) {
                bound.push((name.name.clone(), id));
                continue;
            }
            if let Some(at) = chain.0.iter().position(|p| *p == key) {
                let mut cycle: Vec<String> = chain.0[at..].iter().map(|p| short_name(p)).collect();
                cycle.push(short_name(&key));
                diags.push(
                    Diagnostic::error(name.span, format!("import cycle: {}", cycle.join(" → ")))
                        .with_label("this import closes the cycle"),
                );
                continue;
            }
            if self.modules.failed.contains(&key) {
                continue;
            }
            if let Some(id) = self.load_module(name, &path, key.clone(), chain, diags)? {
                self.modules.loaded.insert(key, id);
                bound.push((name.name.clone(), id));
            } else {
                self.modules.failed.insert(key);
            }
        }
        Ok(bound)
    }

    /// Reads, parses, checks and lowers one module (after the modules it
    /// imports); `None` when it had errors, which are in `diags`.
    fn load_module(
        &mut self,
        name: &ast::Ident,
        path: &Path,
        key: PathBuf,
        chain: &mut Chain,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<Option<ModuleId>, CompileError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                let (message, label) = if e.kind() == std::io::ErrorKind::NotFound {
                    (
                        format!("cannot find the module `{}`", name.name),
                        format!("looked for `{}`", path.display()),
                    )
                } else {
                    (
                        format!("cannot read the module `{}`", name.name),
                        format!("reading `{}`: {e}", path.display()),
                    )
                };
                diags.push(Diagnostic::error(name.span, message).with_label(label));
                return Ok(None);
            }
        };
        let file = self.sources.add(path.display().to_string(), &text);
        let (module, parsed) = super::phase("parse", || kiln_syntax::parse(file, &text))?;
        let failed = parsed.iter().any(|d| d.is_error());
        diags.extend(parsed);
        if failed {
            return Ok(None);
        }
        chain.0.push(key);
        let dir = path.parent().unwrap_or(Path::new("."));
        let errors_before = diags.iter().filter(|d| d.is_error()).count();
        let imports = self.load_imports(&module, dir, chain, diags);
        chain.0.pop();
        let imports = imports?;
        if diags.iter().filter(|d| d.is_error()).count() > errors_before {
            return Ok(None);
        }
        let session = &mut self.session;
        let checked = super::phase("check", || session.check_module(&module, &imports))?;
        let (mut unit, id) = match checked {
            Ok(done) => done,
            Err(errors) => {
                diags.extend(errors);
                return Ok(None);
            }
        };
        diags.extend(std::mem::take(&mut unit.diagnostics));
        let lowered = self.lower_checked(&unit)?;
        self.pending.push((id, lowered));
        self.modules
            .imports
            .insert(id, imports.iter().map(|&(_, m)| m).collect());
        Ok(Some(id))
    }
}
