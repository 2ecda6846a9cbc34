//! `~/.uaac.yml`: uaac's `CF::UAA::Config` (lib/uaa/cli/config.rb), reimplemented faithfully.
//!
//! Why this module is as careful as it is: people keep one `~/.uaac.yml` for years and switch
//! between the Ruby `uaac` and this one. Whatever one writes, the other must read, and a file the
//! Ruby client wrote must come back out of a load/save round trip byte for byte. So:
//!
//! * The whole document is kept as one ordered [`Mapping`] — unknown keys, their order and their
//!   values survive — and every operation edits it exactly as config.rb edits its Hash: Ruby's
//!   `merge!` keeps an existing key where it is and appends a new one, `delete` keeps the order of
//!   the rest. Even uaac's quirks are kept (re-selecting the current target moves its
//!   `current: true` to the end of that target, because config.rb deletes it and merges it back).
//! * uaac writes the file with Ruby's `YAML.dump` (Psych on libyaml, 80-column lines, 2-space
//!   indentation). A serde serializer does not look like that: it writes `null` where Psych writes
//!   nothing, never folds long lines, quotes by YAML 1.2 rules where Psych quotes by YAML 1.1
//!   rules plus its own (`"/path"` is double-quoted, `'yes'` single-quoted). The private `psych`
//!   module below is therefore a small port of the two pieces that decide the bytes: Psych's
//!   `YAMLTree#visit_String` / `ScalarScanner#tokenize` (which style to ask for) and libyaml's
//!   block emitter (which style it may use, and how it indents, folds and escapes).
//!
//! Where config.rb would crash on a malformed document (a target that is not a mapping, a
//! non-string key), this module is lenient instead: such entries are kept and skipped.
//!
//! Reading goes through yaml_serde, which resolves plain scalars by YAML 1.2 rules where Psych
//! uses YAML 1.1. Psych writes every ambiguous string quoted, with two exceptions that therefore
//! come back as numbers: exponents without a dot (`1e3`) and `0o` octals (`0o17`). Hand-edited
//! YAML 1.1 forms (`yes`, `on`, `1:20`, unquoted dates) are read as strings.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use yaml_serde::{Mapping, Value};

/// This module's result type.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;

/// What can go wrong with the configuration.
#[derive(Debug)]
pub enum ConfigError {
    /// One of the `ArgumentError`s config.rb raises: `target not set`, `invalid target, X`,
    /// `invalid context, X`, `unknown context X`, `target and context not set`,
    /// `'contexts' is a reserved key`. The message is uaac's, without the class name.
    Argument(String),
    /// A message uaac `gripe`s (prints as is), e.g. `attempt to get token failed`.
    Gripe(String),
    /// The file is not a YAML mapping, or a top-level key contains a space. Its `Display` is
    /// uaac's text including the blank line before it; uaac writes it to **stderr** (followed by
    /// one more blank line, which `eprintln!` gives) and exits 1.
    InvalidFile(PathBuf),
    /// The file or `--config` string is not YAML at all (uaac lets Psych's exception escape),
    /// or a `--config` YAML string is not a mapping.
    Yaml(String),
    /// Reading or writing the file failed.
    Io {
        /// The configuration file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Argument(m) | Self::Gripe(m) | Self::Yaml(m) => f.write_str(m),
            // config.rb: STDERR.puts "", "Invalid config file #{@config_file}.", ... , ""
            Self::InvalidFile(p) => write!(
                f,
                "\nInvalid config file {}.\n\
                 If it's from an old version of uaac, please remove it.\n\
                 Note that the uaac command structure has changed.\n\
                 Please review the new commands with 'uaac help'\n",
                p.display()
            ),
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn argument(msg: impl Into<String>) -> ConfigError {
    ConfigError::Argument(msg.into())
}

/// A target or context selector, config.rb's `subhash_key` argument: an index into the targets
/// (or the current target's contexts) in file order, or a name, which is lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// Ruby's `Integer` case: the n-th entry (negative or too large selects nothing).
    Index(i64),
    /// Ruby's `String`/`Symbol` case: `key.downcase`.
    Name(String),
}

impl Key {
    /// A command-line argument as uaac's `target`, `context` and `token delete` read it: an
    /// integer when `arg.to_i.to_s == arg` (so `0`, `12`, `-1`, but not `007` or `+1`),
    /// otherwise a name.
    pub fn from_arg(arg: &str) -> Self {
        let digits = arg.strip_prefix('-').unwrap_or(arg);
        let canonical = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'))
            && arg != "-0";
        if canonical {
            // A Ruby Bignum selects nothing either; saturating keeps it out of range.
            let n = arg.parse::<i64>().unwrap_or(if arg.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            });
            Self::Index(n)
        } else {
            Self::Name(arg.to_owned())
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Index(i) => write!(f, "{i}"),
            Self::Name(s) => f.write_str(s),
        }
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Self::Name(s.to_owned())
    }
}
impl From<&String> for Key {
    fn from(s: &String) -> Self {
        Self::Name(s.clone())
    }
}
impl From<String> for Key {
    fn from(s: String) -> Self {
        Self::Name(s)
    }
}
impl From<i64> for Key {
    fn from(i: i64) -> Self {
        Self::Index(i)
    }
}
impl From<usize> for Key {
    fn from(i: usize) -> Self {
        Self::Index(i64::try_from(i).unwrap_or(i64::MAX))
    }
}
impl From<&Key> for Key {
    fn from(k: &Key) -> Self {
        k.clone()
    }
}

/// bin/uaac: `"#{home}/.uaac.yml"` where home is `$UAAC_HOME`, or `$HOME` when that is unset
/// or empty.
pub fn default_path() -> PathBuf {
    path_from_env(std::env::var_os("UAAC_HOME"), std::env::var_os("HOME"))
}

fn path_from_env(
    uaac_home: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> PathBuf {
    let home = uaac_home
        .filter(|h| !h.is_empty())
        .or(home)
        .unwrap_or_default();
    // Ruby interpolates a missing HOME as "", giving "/.uaac.yml".
    let mut s = home;
    s.push("/.uaac.yml");
    PathBuf::from(s)
}

/// What `Config.load` writes when the file does not exist yet.
const NEW_FILE: &str = "--- {}\n\n";

/// uaac's `Config`: the loaded document plus the current target and context.
#[derive(Debug, Clone)]
pub struct UaacConfig {
    doc: Mapping,
    /// `@config_file`; `None` for a `--config` YAML string, which is never saved.
    file: Option<PathBuf>,
    target: Option<String>,
    context: Option<String>,
}

impl UaacConfig {
    /// `Config.load(config)`. `None` reads [`default_path`]. `Some(spec)` is, as in uaac, YAML
    /// content when it is empty or a line of it starts with `---` (such a config is never
    /// saved), and otherwise a file path. A missing file is created as `--- {}` with mode 0600;
    /// an existing one that group or others may read draws a warning on stderr.
    pub fn load(spec: Option<&str>) -> Result<Self> {
        let Some(spec) = spec else {
            return Self::load_file(&default_path());
        };
        // config.rb: `config =~ /^---/ || config == ""` (`^` is any line start in Ruby).
        if spec.is_empty() || spec.split('\n').any(|l| l.starts_with("---")) {
            let doc = if spec.is_empty() {
                Value::Mapping(Mapping::new())
            } else {
                yaml_serde::from_str::<Value>(spec).map_err(|e| ConfigError::Yaml(e.to_string()))?
            };
            let doc = match doc {
                Value::Mapping(m) => m,
                // YAML.load("---") is nil; uaac carries on with no targets.
                Value::Null => Mapping::new(),
                _ => return Err(ConfigError::Yaml(format!("Invalid config string {spec}"))),
            };
            return Ok(Self::from_document(doc, None));
        }
        Self::load_file(Path::new(spec))
    }

    fn load_file(path: &Path) -> Result<Self> {
        let io = |source| ConfigError::Io {
            path: path.to_owned(),
            source,
        };
        // `File.exist?`, which a dangling symlink fails; uaac then writes through the link.
        if !path.exists() {
            write_file(path, NEW_FILE)?;
            return Ok(Self::from_document(Mapping::new(), Some(path.to_owned())));
        }
        let text = fs::read_to_string(path).map_err(io)?;
        if let Ok(meta) = fs::metadata(path)
            && let Some(w) = readable_warning(path, meta.permissions().mode())
        {
            eprintln!("{w}");
        }
        let parsed: Value = yaml_serde::from_str(&text)
            .map_err(|e| ConfigError::Yaml(format!("({}): {e}", path.display())))?;
        // config.rb: the document must be a Hash, and no top-level key may contain a space
        // (the mark of a pre-1.0 uaac file). An empty file loads as `false`: invalid too.
        let Value::Mapping(doc) = parsed else {
            return Err(ConfigError::InvalidFile(path.to_owned()));
        };
        if doc
            .keys()
            .any(|k| scalar_string(k).is_some_and(|s| s.contains(' ')))
        {
            return Err(ConfigError::InvalidFile(path.to_owned()));
        }
        Ok(Self::from_document(doc, Some(path.to_owned())))
    }

    /// The tail of `Config.load`: `@target = current_subhash(@config)` and
    /// `@context = current_subhash(@config[@target][:contexts])`. `current_subhash` also drops
    /// `current` from every entry after the first current one.
    fn from_document(mut doc: Mapping, file: Option<PathBuf>) -> Self {
        let target = current_subhash(&mut doc);
        let context = target.as_deref().and_then(|t| {
            doc.get_mut(t)
                .and_then(Value::as_mapping_mut)
                .and_then(|m| m.get_mut("contexts"))
                .and_then(Value::as_mapping_mut)
                .and_then(current_subhash)
        });
        Self {
            doc,
            file,
            target,
            context,
        }
    }

    /// `Config.save`: writes `YAML.dump` of the document, mode 0600. A YAML-string config is
    /// not saved.
    pub fn save(&self) -> Result<()> {
        match &self.file {
            Some(path) => write_file(path, &self.yaml()),
            None => Ok(()),
        }
    }

    /// `Config.yaml`: the document as Ruby's `YAML.dump` writes it.
    pub fn yaml(&self) -> String {
        psych::dump_mapping(&self.doc)
    }

    /// The file this configuration is saved to (`None` for a `--config` YAML string).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// `Config.target`: the current target's key.
    pub fn target(&self) -> Option<String> {
        self.target.clone()
    }

    /// `Config.context`: the current context's key in the current target.
    pub fn context(&self) -> Option<String> {
        self.context.clone()
    }

    /// The whole document, for the `context`/`contexts` printers (`Config.config`).
    pub fn document(&self) -> &Mapping {
        &self.doc
    }

    /// `Config.target?(tgt)`: the key `tgt` selects, if an entry with a value is there.
    pub fn target_exists(&self, sel: impl Into<Key>) -> Option<String> {
        existing_key(&self.doc, &sel.into())
    }

    /// `Config.target = tgt`: marks the selected target `current: true` (creating it if
    /// needed), removes the old target's marker, takes the new target's current context, saves.
    /// Errors with `invalid target, X` when an index selects nothing.
    pub fn set_target(&mut self, sel: impl Into<Key>) -> Result<String> {
        let sel = sel.into();
        let Some(t) = set_current_subhash(&mut self.doc, &sel, self.target.as_deref())? else {
            return Err(argument(format!("invalid target, {sel}")));
        };
        self.context = self
            .doc
            .get_mut(t.as_str())
            .and_then(Value::as_mapping_mut)
            .and_then(|m| m.get_mut("contexts"))
            .and_then(Value::as_mapping_mut)
            .and_then(current_subhash);
        self.save()?;
        self.target = Some(t.clone());
        Ok(t)
    }

    /// `Config.target_opts(hash)`: merges settings into the current target and saves.
    /// `contexts` may not be set this way.
    pub fn target_opts(&mut self, opts: &[(String, Value)]) -> Result<()> {
        let target = self.require_target()?;
        if opts.is_empty() {
            return Ok(());
        }
        if opts.iter().any(|(k, _)| k == "contexts") {
            return Err(argument("'contexts' is a reserved key"));
        }
        let Some(map) = self
            .doc
            .get_mut(target.as_str())
            .and_then(Value::as_mapping_mut)
        else {
            return Err(argument("target not set"));
        };
        merge(map, opts);
        self.save()
    }

    /// `Config.target_value(attr)`: a setting of the current target (`None` when no target is
    /// set, where uaac raises `target not set`).
    pub fn target_value(&self, key: &str) -> Option<&Value> {
        let t = self.target.as_deref()?;
        self.doc.get(t)?.as_mapping()?.get(key)
    }

    /// `Config.context = ctx`: marks the selected context of the current target current
    /// (creating it if needed), removes the old context's marker, saves.
    pub fn set_context(&mut self, sel: impl Into<Key>) -> Result<String> {
        let sel = sel.into();
        let target = self.require_target()?;
        let old = self.context.clone();
        let contexts = self.contexts_or_insert(&target)?;
        let Some(c) = set_current_subhash(contexts, &sel, old.as_deref())? else {
            return Err(argument(format!("invalid context, {sel}")));
        };
        self.save()?;
        self.context = Some(c.clone());
        Ok(c)
    }

    /// `Config.valid_context(ctx)`: the key of an existing context of the current target, or
    /// `unknown context X`.
    pub fn valid_context(&self, sel: impl Into<Key>) -> Result<String> {
        let sel = sel.into();
        let target = self.require_target()?;
        // uaac also plants an empty `contexts: {}` here; nothing saves it before the next
        // `set_context`, which plants it again.
        self.doc
            .get(target.as_str())
            .and_then(Value::as_mapping)
            .and_then(|m| m.get("contexts"))
            .and_then(Value::as_mapping)
            .and_then(|c| existing_key(c, &sel))
            .ok_or_else(|| argument(format!("unknown context {sel}")))
    }

    /// `Config.delete(tgt, ctx)`, then save. With both, removes context `ctx` (lowercased) of
    /// target `tgt` (taken as is); with a target only, removes that target; with no target —
    /// **even when a context is given**, as in uaac — clears the whole configuration.
    /// (uaac's `token delete 1` passes an Integer and dies on `downcase`; that is the caller's.)
    pub fn delete(&mut self, target: Option<&str>, context: Option<&str>) -> Result<()> {
        match (target, context) {
            (Some(t), Some(c)) => {
                let c = c.to_lowercase();
                if let Some(contexts) = self
                    .doc
                    .get_mut(t)
                    .and_then(Value::as_mapping_mut)
                    .and_then(|m| m.get_mut("contexts"))
                    .and_then(Value::as_mapping_mut)
                {
                    contexts.shift_remove(c.as_str());
                }
                if self.target.as_deref() == Some(t) && self.context.as_deref() == Some(c.as_str())
                {
                    self.context = None;
                }
            }
            (Some(t), None) => {
                self.doc.shift_remove(t);
                if self.target.as_deref() == Some(t) {
                    self.target = None;
                    self.context = None;
                }
            }
            (None, _) => {
                self.doc = Mapping::new();
                self.target = None;
                self.context = None;
            }
        }
        self.save()
    }

    /// `Config.add_opts(hash)`: merges values into the current context and saves.
    pub fn add_opts(&mut self, opts: &[(String, Value)]) -> Result<()> {
        self.merge_context(opts)?;
        if opts.is_empty() {
            return Ok(());
        }
        self.save()
    }

    fn merge_context<K: AsRef<str>>(&mut self, opts: &[(K, Value)]) -> Result<()> {
        let (target, context) = self.require_context()?;
        if opts.is_empty() {
            return Ok(());
        }
        let Some(map) = self
            .doc
            .get_mut(target.as_str())
            .and_then(Value::as_mapping_mut)
            .and_then(|m| m.get_mut("contexts"))
            .and_then(Value::as_mapping_mut)
            .and_then(|c| c.get_mut(context.as_str()))
            .and_then(Value::as_mapping_mut)
        else {
            return Err(argument("target and context not set"));
        };
        merge(map, opts);
        Ok(())
    }

    /// `Config.value(attr)` / `Config[attr]`: a value of the current context (`None` when no
    /// target and context are set, where uaac raises).
    pub fn value(&self, key: &str) -> Option<&Value> {
        let t = self.target.as_deref()?;
        let c = self.context.as_deref()?;
        self.doc
            .get(t)?
            .as_mapping()?
            .get("contexts")?
            .as_mapping()?
            .get(c)?
            .as_mapping()?
            .get(key)
    }

    /// `Config.delete_attr(attr)`: removes a value from the current context. Like uaac, this
    /// does **not** save; call [`save`](Self::save) to persist it.
    pub fn delete_attr(&mut self, key: &str) -> Result<Option<Value>> {
        let (target, context) = self.require_context()?;
        Ok(self
            .doc
            .get_mut(target.as_str())
            .and_then(Value::as_mapping_mut)
            .and_then(|m| m.get_mut("contexts"))
            .and_then(Value::as_mapping_mut)
            .and_then(|c| c.get_mut(context.as_str()))
            .and_then(Value::as_mapping_mut)
            .and_then(|m| m.shift_remove(key)))
    }

    /// The `targets` listing: every top-level key in order, and whether it is marked current.
    pub fn targets(&self) -> Vec<(String, bool)> {
        self.doc
            .iter()
            .map(|(k, v)| {
                let current = v
                    .as_mapping()
                    .and_then(|m| m.get("current"))
                    .is_some_and(truthy);
                (scalar_string(k).unwrap_or_default(), current)
            })
            .collect()
    }

    /// uaac's `TokenCli#set_context`: stores a token response as the current context of the
    /// current target. The context is named by the claims' `user_name`, else `client_id`, else
    /// `bad_token`; it is deleted and created anew as the current context, then gets, in this
    /// order, `user_id` and `client_id` from the claims, every field of the response but `jti`,
    /// `scope` from the claims (replacing the response's space-separated string where it
    /// stood) and the response's `jti`. Returns the context's key.
    pub fn set_context_from_token(
        &mut self,
        token_response: &serde_json::Map<String, serde_json::Value>,
        claims: &serde_json::Value,
    ) -> Result<String> {
        if present(token_response.get("access_token")).is_none() {
            return Err(ConfigError::Gripe("attempt to get token failed\n".into()));
        }
        let name = present(claims.get("user_name"))
            .or_else(|| present(claims.get("client_id")))
            .map_or_else(
                || "bad_token".to_owned(),
                |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            );
        let target = self.target.clone();
        self.delete(target.as_deref(), Some(&name))?;
        let context = self.set_context(Key::Name(name))?;
        for key in ["user_id", "client_id"] {
            if let Some(v) = present(claims.get(key)) {
                self.merge_context(&[(key, json_to_yaml(v))])?;
            }
        }
        let fields: Vec<(&str, Value)> = token_response
            .iter()
            .filter(|(k, _)| k.as_str() != "jti")
            .map(|(k, v)| (k.as_str(), json_to_yaml(v)))
            .collect();
        self.merge_context(&fields)?;
        if let Some(scope) = present(claims.get("scope")) {
            self.merge_context(&[("scope", json_to_yaml(scope))])?;
        }
        if let Some(jti) = present(token_response.get("jti")) {
            self.merge_context(&[("jti", json_to_yaml(jti))])?;
        }
        self.save()?;
        Ok(context)
    }

    fn require_target(&self) -> Result<String> {
        self.target
            .clone()
            .ok_or_else(|| argument("target not set"))
    }

    fn require_context(&self) -> Result<(String, String)> {
        match (&self.target, &self.context) {
            (Some(t), Some(c)) => Ok((t.clone(), c.clone())),
            _ => Err(argument("target and context not set")),
        }
    }

    /// `@config[@target][:contexts] ||= {}`.
    fn contexts_or_insert(&mut self, target: &str) -> Result<&mut Mapping> {
        let Some(tmap) = self.doc.get_mut(target).and_then(Value::as_mapping_mut) else {
            return Err(argument("target not set"));
        };
        let slot = tmap
            .entry(Value::String("contexts".into()))
            .or_insert(Value::Null);
        if !truthy(slot) {
            *slot = Value::Mapping(Mapping::new());
        }
        slot.as_mapping_mut()
            .ok_or_else(|| argument(format!("invalid contexts in target {target}")))
    }
}

/// Ruby truthiness: everything but `nil` and `false`.
fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false))
}

/// A key as uaac would name it: strings as they are, other scalars as Ruby prints them.
fn scalar_string(k: &Value) -> Option<String> {
    match k {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// `Hash#merge!` of symbolized keys: existing keys keep their place, new ones are appended.
fn merge<K: AsRef<str>>(map: &mut Mapping, opts: &[(K, Value)]) {
    for (k, v) in opts {
        map.insert(Value::String(k.as_ref().to_owned()), v.clone());
    }
}

/// A claim or response field that Ruby's `if value` would take (not null, not false).
fn present(v: Option<&serde_json::Value>) -> Option<&serde_json::Value> {
    v.filter(|v| !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false)))
}

/// `subhash_key(hash, key)`: the n-th key, or the lowercased name.
fn subhash_key(map: &Mapping, key: &Key) -> Option<String> {
    match key {
        Key::Index(i) => usize::try_from(*i)
            .ok()
            .and_then(|i| map.keys().nth(i))
            .and_then(scalar_string),
        Key::Name(s) => Some(s.to_lowercase()),
    }
}

/// `existing_key(hash, key)`: the selected key, if its value is truthy.
fn existing_key(map: &Mapping, key: &Key) -> Option<String> {
    subhash_key(map, key).filter(|k| map.get(k.as_str()).is_some_and(truthy))
}

/// `current_subhash(hash)`: the first key whose value has a truthy `current`; `current` is
/// removed from every entry after it.
fn current_subhash(map: &mut Mapping) -> Option<String> {
    let mut found = None;
    for (k, v) in map.iter_mut() {
        let Some(entry) = v.as_mapping_mut() else {
            continue;
        };
        if found.is_some() {
            entry.shift_remove("current");
        } else if entry.get("current").is_some_and(truthy) {
            found = scalar_string(k);
        }
    }
    found
}

/// `set_current_subhash(hash, newcurrent, oldcurrent)`: removes `current` from the old entry,
/// then `(hash[k] ||= {}).merge!(current: true)` — which appends `current` at the end of the
/// entry unless it is already there.
fn set_current_subhash(map: &mut Mapping, new: &Key, old: Option<&str>) -> Result<Option<String>> {
    let Some(k) = subhash_key(map, new) else {
        return Ok(None);
    };
    if let Some(old) = old
        && let Some(entry) = map.get_mut(old).and_then(Value::as_mapping_mut)
    {
        entry.shift_remove("current");
    }
    let slot = map.entry(Value::String(k.clone())).or_insert(Value::Null);
    if !truthy(slot) {
        *slot = Value::Mapping(Mapping::new());
    }
    let Some(entry) = slot.as_mapping_mut() else {
        return Err(argument(format!("invalid entry {k}: not a mapping")));
    };
    entry.insert(Value::String("current".into()), Value::Bool(true));
    Ok(Some(k))
}

fn json_to_yaml(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64().map_or(Value::Null, |f| Value::Number(f.into()))
            }
        }
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Sequence(a.iter().map(json_to_yaml).collect()),
        serde_json::Value::Object(o) => Value::Mapping(
            o.iter()
                .map(|(k, v)| (Value::String(k.clone()), json_to_yaml(v)))
                .collect(),
        ),
    }
}

/// `write_file`: `File.open(filename, 'w')` then `File.chmod(0600, filename)`; here the file
/// is also created 0600, so it is never readable by others even for a moment.
fn write_file(path: &Path, content: &str) -> Result<()> {
    let io = |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    };
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    f.write_all(content.as_bytes()).map_err(io)?;
    f.flush().map_err(io)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)
}

/// The warning for a configuration file that group or others may read (uaac has none; it only
/// fixes the mode on its next write).
fn readable_warning(path: &Path, mode: u32) -> Option<String> {
    (mode & 0o044 != 0).then(|| {
        let p = path.display();
        format!("WARNING: {p} is readable by other users; run chmod 600 {p}")
    })
}

/// Ruby's `YAML.dump` (Psych 4 on libyaml 0.2.5), for the values a YAML document can hold.
mod psych {
    use yaml_serde::{Mapping, Value};

    /// libyaml's `best_indent` (Psych's default indentation).
    const INDENT: i32 = 2;
    /// libyaml's `best_width`: Psych passes line_width 0, which libyaml turns into 80.
    const WIDTH: usize = 80;
    /// libyaml writes a mapping key as a simple key up to this many bytes.
    const SIMPLE_KEY_MAX: usize = 128;

    /// `YAML.dump(hash)`.
    pub(super) fn dump_mapping(doc: &Mapping) -> String {
        // yaml_emitter_emit_stream_start
        let mut e = Emitter {
            indent: -1,
            whitespace: true,
            indention: true,
            ..Emitter::default()
        };
        // yaml_emitter_emit_document_start, explicit ("---")
        e.write_indent();
        e.write_indicator("---", true, false, false);
        e.mapping(doc);
        // yaml_emitter_emit_document_end, implicit
        e.write_indent();
        if e.open_ended == 0 {
            e.open_ended = 1;
        }
        // yaml_emitter_emit_document_start on STREAM-END
        if e.open_ended == 2 {
            e.write_indicator("...", true, false, false);
            e.write_indent();
        }
        e.out
    }

    /// The node's place: a mapping key or value (`mapping`), and a simple key in particular.
    #[derive(Clone, Copy, Default)]
    struct Ctx {
        mapping: bool,
        simple_key: bool,
    }

    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Style {
        Plain,
        Single,
        Double,
        Literal,
    }

    /// A scalar event as Psych hands it to libyaml.
    struct Scalar {
        chars: Vec<char>,
        style: Style,
        plain_implicit: bool,
        quoted_implicit: bool,
        /// An explicit tag (handle and suffix) that libyaml writes.
        tag: Option<&'static str>,
    }

    impl Scalar {
        fn bytes(&self) -> usize {
            self.chars.iter().map(|c| c.len_utf8()).sum()
        }
    }

    /// Psych's `YAMLTree` visitors.
    fn scalar_of(v: &Value) -> Option<Scalar> {
        let plain = |s: String, quoted_implicit: bool| Scalar {
            chars: s.chars().collect(),
            style: Style::Plain,
            plain_implicit: true,
            quoted_implicit,
            tag: None,
        };
        Some(match v {
            // visit_NilClass: '' tagged null, plain implicit (so the tag is not written).
            Value::Null => plain(String::new(), false),
            Value::Bool(b) => plain(b.to_string(), false),
            Value::Number(n) => plain(number_to_s(n), false),
            Value::String(s) => string_scalar(s),
            _ => return None,
        })
    }

    fn number_to_s(n: &yaml_serde::Number) -> String {
        if let Some(i) = n.as_i64() {
            i.to_string()
        } else if let Some(u) = n.as_u64() {
            u.to_string()
        } else {
            n.as_f64().map_or_else(|| n.to_string(), ruby_float_to_s)
        }
    }

    /// Ruby's `Float#to_s`, as Psych's `visit_Float` writes it.
    pub(super) fn ruby_float_to_s(f: f64) -> String {
        if f.is_nan() {
            return ".nan".into();
        }
        if f.is_infinite() {
            return if f > 0.0 { ".inf" } else { "-.inf" }.into();
        }
        if f == 0.0 {
            return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
        }
        // Shortest round-trip digits and exponent, as Ruby's dtoa mode 0 gives them.
        let sci = format!("{:e}", f.abs());
        let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let decpt = exp.parse::<i32>().unwrap_or(0) + 1;
        let sign = if f < 0.0 { "-" } else { "" };
        let nd = i32::try_from(digits.len()).unwrap_or(i32::MAX);
        // numeric.c flo_to_s: fixed notation when there are fractional digits, or for whole
        // numbers of up to DBL_DIG (15) digits; "0.000ddd" down to 1e-4; exponent otherwise.
        let body = if decpt > 0 && decpt < nd {
            let (a, b) = digits.split_at(usize::try_from(decpt).unwrap_or(0));
            format!("{a}.{b}")
        } else if decpt > 0 && decpt <= 15 {
            let zeros = usize::try_from(decpt - nd).unwrap_or(0);
            format!("{digits}{}.0", "0".repeat(zeros))
        } else if decpt <= 0 && decpt > -4 {
            let zeros = usize::try_from(-decpt).unwrap_or(0);
            format!("0.{}{digits}", "0".repeat(zeros))
        } else {
            let (first, rest) = digits.split_at(1);
            let rest = if rest.is_empty() { "0" } else { rest };
            let e = decpt - 1;
            format!(
                "{first}.{rest}e{}{:02}",
                if e < 0 { '-' } else { '+' },
                e.abs()
            )
        };
        format!("{sign}{body}")
    }

    /// `YAMLTree#visit_String`: the style Psych asks libyaml for.
    fn string_scalar(s: &str) -> Scalar {
        let mut sc = Scalar {
            chars: s.chars().collect(),
            style: Style::Plain,
            plain_implicit: true,
            quoted_implicit: true,
            tag: None,
        };
        if has_inner_newline(s) {
            // o =~ /\n(?!\Z)/
            sc.style = Style::Literal;
        } else if s == "<<" {
            sc.style = Style::Single;
            sc.tag = Some("!!str");
            sc.plain_implicit = false;
            sc.quoted_implicit = false;
        } else if s == "y" || s == "n" {
            sc.style = Style::Double;
        } else if starts_non_word_without_quote(s) {
            // o =~ /^[^[:word:]][^"]*$/
            sc.style = Style::Double;
        } else if !tokenizes_as_string(s) || octal_lookalike(s) {
            sc.style = Style::Single;
        }
        sc
    }

    /// `/\n(?!\Z)/`: a newline that is neither last nor followed only by a last newline.
    fn has_inner_newline(s: &str) -> bool {
        let b = s.as_bytes();
        let n = b.len();
        b.iter()
            .enumerate()
            .any(|(i, &c)| c == b'\n' && !(i + 1 == n || (i + 2 == n && b[n - 1] == b'\n')))
    }

    /// Onigmo's `[[:word:]]`: letters, marks, digits, connector punctuation.
    fn is_word(c: char) -> bool {
        c.is_alphanumeric()
            || matches!(
                c,
                '_' | '\u{203f}' | '\u{2040}' | '\u{2054}' | '\u{fe33}' | '\u{fe34}' | '\u{fe4d}'
                    ..='\u{fe4f}' | '\u{ff3f}'
            )
            || ('\u{0300}'..='\u{036f}').contains(&c)
    }

    /// Positions where Ruby's `^` matches: 0 and after every newline (but not at the end).
    fn line_starts(chars: &[char]) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(0)
            .chain(
                chars
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == '\n')
                    .map(|(i, _)| i + 1),
            )
            .filter(move |&p| p < chars.len())
    }

    /// `/^[^[:word:]][^"]*$/` with Ruby's multi-line `^` and `$`.
    fn starts_non_word_without_quote(s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        line_starts(&chars).any(|p| {
            if is_word(chars[p]) {
                return false;
            }
            // The shortest run to a line end (`$`: before a newline or at the end).
            let rest = &chars[p + 1..];
            let end = rest.iter().position(|&c| c == '\n').unwrap_or(rest.len());
            !rest[..end].contains(&'"')
        })
    }

    /// `/\A0[0-7]*[89]/`.
    fn octal_lookalike(s: &str) -> bool {
        let Some(rest) = s.strip_prefix('0') else {
            return false;
        };
        let rest = rest.trim_start_matches(|c: char| ('0'..='7').contains(&c));
        rest.starts_with(['8', '9'])
    }

    /// `String === ScalarScanner#tokenize(string)`: whether Psych would read the plain scalar
    /// back as this string (and so may leave it unquoted).
    fn tokenizes_as_string(s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        let chars: Vec<char> = s.chars().collect();
        if looks_like_word(&chars) || s.contains('\n') {
            if chars.len() > 5 {
                return true;
            }
            let lines: Vec<&str> = s.split('\n').collect();
            // /^[^ytonf~]/i
            let other_start = line_starts(&chars).any(|p| {
                !matches!(
                    chars[p].to_ascii_lowercase(),
                    'y' | 't' | 'o' | 'n' | 'f' | '~'
                )
            });
            if other_start {
                return true;
            }
            let any_line = |words: &[&str]| {
                lines
                    .iter()
                    .any(|l| words.iter().any(|w| l.eq_ignore_ascii_case(w)))
            };
            return !(s == "~" || any_line(&["null", "yes", "true", "on", "no", "false", "off"]));
        }
        if is_time(s) || is_date(s) {
            return false;
        }
        let lower = s.to_ascii_lowercase();
        if matches!(lower.as_str(), ".inf" | "+.inf" | "-.inf" | ".nan") {
            return false;
        }
        if chars.len() >= 2 && chars[0] == ':' {
            return false; // a Symbol
        }
        if is_sexagesimal(s) || is_float(s) || is_integer(s) {
            return false;
        }
        true
    }

    /// `%r{^[^\d.:-]?[[:alpha:]_\s!@#$%\^&*(){}<>|/\\~;=]+}` at the start of a one-line string.
    fn looks_like_word(chars: &[char]) -> bool {
        let class = |c: char| {
            c.is_alphabetic()
                || matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
                || "_!@#$%^&*(){}<>|/\\~;=".contains(c)
        };
        match chars {
            [] => false,
            [c0, rest @ ..] => {
                class(*c0)
                    || (!(c0.is_ascii_digit() || matches!(c0, '.' | ':' | '-'))
                        && rest.first().is_some_and(|c| class(*c)))
            }
        }
    }

    fn digits_in(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
        let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n < min {
            return None;
        }
        let v = s[..n].parse().ok()?;
        Some((v, &s[n..]))
    }

    /// `^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$` that `Date.strptime` accepts.
    fn is_date(s: &str) -> bool {
        let Some((y, rest)) = digits_in(s, 4, 4) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix('-') else {
            return false;
        };
        let Some((m, rest)) = digits_in(rest, 1, 2) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix('-') else {
            return false;
        };
        let Some((d, rest)) = digits_in(rest, 1, 2) else {
            return false;
        };
        rest.is_empty() && valid_date(y, m, d)
    }

    fn valid_date(y: u32, m: u32, d: u32) -> bool {
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&d)
    }

    /// `TIME` (a timestamp) that `parse_time` accepts.
    fn is_time(s: &str) -> bool {
        let s = s.strip_prefix('-').unwrap_or(s);
        let Some((_, rest)) = digits_in(s, 4, 4) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix('-') else {
            return false;
        };
        let Some((mo, rest)) = digits_in(rest, 1, 2) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix('-') else {
            return false;
        };
        let Some((d, rest)) = digits_in(rest, 1, 2) else {
            return false;
        };
        let rest = if let Some(r) = rest.strip_prefix(['T', 't']) {
            r
        } else {
            let r = rest.trim_start_matches(char::is_whitespace);
            if r.len() == rest.len() {
                return false;
            }
            r
        };
        let Some((h, rest)) = digits_in(rest, 1, 2) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let Some((mi, rest)) = digits_in(rest, 2, 2) else {
            return false;
        };
        let Some(rest) = rest.strip_prefix(':') else {
            return false;
        };
        let Some((sec, mut rest)) = digits_in(rest, 2, 2) else {
            return false;
        };
        if let Some(r) = rest.strip_prefix('.') {
            rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        let zone = rest.trim_start_matches(char::is_whitespace);
        let zone_ok = zone.is_empty()
            || zone == "Z"
            || zone.strip_prefix(['+', '-']).is_some_and(|z| {
                (1..=2).any(|n| {
                    z.len() >= n && z.as_bytes()[..n].iter().all(u8::is_ascii_digit) && {
                        let r = &z[n..];
                        let r = r.strip_prefix(':').unwrap_or(r);
                        r.is_empty() || (r.len() == 2 && r.bytes().all(|b| b.is_ascii_digit()))
                    }
                })
            });
        // Time.utc raises ArgumentError (and Psych keeps the string) out of these ranges.
        zone_ok
            && (1..=12).contains(&mo)
            && (1..=31).contains(&d)
            && h <= 24
            && mi <= 59
            && sec <= 60
    }

    /// `^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$`, or the same followed by `\.[0-9_]*`.
    fn is_sexagesimal(s: &str) -> bool {
        let s = s.strip_prefix(['-', '+']).unwrap_or(s);
        if !s.starts_with(|c: char| c.is_ascii_digit()) {
            return false;
        }
        let mut rest = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
        let mut groups = 0;
        while let Some(r) = rest.strip_prefix(':') {
            let b = r.as_bytes();
            let n = match b {
                [a, c, ..] if (b'0'..=b'5').contains(a) && c.is_ascii_digit() => 2,
                [a, ..] if a.is_ascii_digit() => 1,
                _ => return false,
            };
            rest = &r[n..];
            groups += 1;
        }
        if !(1..=2).contains(&groups) {
            return false;
        }
        rest.is_empty()
            || rest
                .strip_prefix('.')
                .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
    }

    /// `FLOAT`, minus the lone `.`: `^[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?$`.
    fn is_float(s: &str) -> bool {
        let body = s.strip_prefix(['-', '+']).unwrap_or(s);
        let int_len = if body.starts_with(|c: char| c.is_ascii_digit()) {
            body.bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b'_' || *b == b',')
                .count()
        } else {
            0
        };
        let Some(rest) = body[int_len..].strip_prefix('.') else {
            return false;
        };
        let frac = rest.bytes().take_while(u8::is_ascii_digit).count();
        let rest = &rest[frac..];
        let exp_ok = rest.is_empty()
            || rest
                .strip_prefix(['e', 'E'])
                .and_then(|r| r.strip_prefix(['-', '+']))
                .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()));
        exp_ok && !(int_len == 0 && frac == 0 && rest.is_empty())
    }

    /// `INTEGER`: binary, octal, decimal (with single `,`/`_` separators) or hex.
    fn is_integer(s: &str) -> bool {
        let body = s.strip_prefix(['-', '+']).unwrap_or(s);
        let all = |r: &str, ok: fn(u8) -> bool| !r.is_empty() && r.bytes().all(ok);
        if let Some(r) = body.strip_prefix("0b") {
            return all(r, |b| matches!(b, b'0' | b'1' | b'_' | b','));
        }
        if let Some(r) = body.strip_prefix("0x") {
            return all(r, |b| b.is_ascii_hexdigit() || b == b'_' || b == b',');
        }
        if body == "0" {
            return true;
        }
        if let Some(r) = body.strip_prefix('0') {
            return all(r, |b| matches!(b, b'0'..=b'7' | b'_' | b','));
        }
        let b = body.as_bytes();
        if !b.first().is_some_and(|c| (b'1'..=b'9').contains(c)) {
            return false;
        }
        let mut i = 1;
        while i < b.len() {
            if b[i].is_ascii_digit() {
                i += 1;
            } else if matches!(b[i], b',' | b'_') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 2;
            } else {
                return false;
            }
        }
        true
    }

    fn is_break(c: char) -> bool {
        matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
    }

    /// IS_BLANKZ (a missing character is the terminating NUL).
    fn is_blankz(c: Option<&char>) -> bool {
        c.is_none_or(|&c| c == ' ' || c == '\t' || c == '\0' || is_break(c))
    }

    /// IS_PRINTABLE of libyaml 0.2.5, which Psych uses: no characters beyond U+FFFD, so
    /// an emoji is written as `"\U0001F600"`.
    fn is_printable(c: char) -> bool {
        matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{fffd}') && c != '\u{feff}'
    }

    /// yaml_emitter_analyze_scalar's verdict, for block context (see [`Emitter`]).
    #[derive(Debug)]
    struct Analysis {
        multiline: bool,
        block_plain: bool,
        single_quoted: bool,
        block: bool,
    }

    fn analyze(s: &[char]) -> Analysis {
        if s.is_empty() {
            return Analysis {
                multiline: false,
                block_plain: true,
                single_quoted: true,
                block: false,
            };
        }
        // Block indicators: what may not start (or appear in) a plain scalar.
        let mut indicators = s.starts_with(&['-', '-', '-']) || s.starts_with(&['.', '.', '.']);
        let (mut line_breaks, mut special) = (false, false);
        let (mut leading_space, mut leading_break) = (false, false);
        let (mut trailing_space, mut trailing_break) = (false, false);
        let (mut break_space, mut space_break) = (false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let mut preceded_by_ws = true;
        let mut followed_by_ws = is_blankz(s.get(1));
        let last = s.len() - 1;
        for (i, &c) in s.iter().enumerate() {
            if i == 0 {
                indicators |= "#,[]{}&*!|>'\"%@`".contains(c)
                    || ((c == '?' || c == ':' || c == '-') && followed_by_ws);
            } else {
                indicators |= (c == ':' && followed_by_ws) || (c == '#' && preceded_by_ws);
            }
            special |= !is_printable(c);
            line_breaks |= is_break(c);
            if c == ' ' {
                leading_space |= i == 0;
                trailing_space |= i == last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if is_break(c) {
                leading_break |= i == 0;
                trailing_break |= i == last;
                space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
            preceded_by_ws = is_blankz(Some(&c));
            if i < last {
                followed_by_ws = is_blankz(s.get(i + 2));
            }
        }
        let edge_whitespace = leading_space || leading_break || trailing_space || trailing_break;
        Analysis {
            multiline: line_breaks,
            block_plain: !(edge_whitespace
                || break_space
                || space_break
                || special
                || line_breaks
                || indicators),
            single_quoted: !(break_space || space_break || special),
            block: !(trailing_space || space_break || special),
        }
    }

    /// The parts of libyaml's emitter state that decide the bytes. Psych asks for block
    /// collections only, and libyaml switches to flow style just for empty ones (`{}`, `[]`),
    /// so no scalar is ever written in flow context: the flow-only branches are left out.
    #[derive(Default)]
    struct Emitter {
        out: String,
        column: usize,
        indent: i32,
        indents: Vec<i32>,
        whitespace: bool,
        indention: bool,
        open_ended: u8,
    }

    impl Emitter {
        fn put(&mut self, c: char) {
            self.out.push(c);
            self.column += 1;
        }

        fn put_break(&mut self) {
            self.out.push('\n');
            self.column = 0;
        }

        /// WRITE_BREAK.
        fn write_break(&mut self, c: char) {
            if c == '\n' {
                self.put_break();
            } else {
                self.out.push(c);
                self.column = 0;
            }
        }

        fn increase_indent(&mut self, flow: bool, indentless: bool) {
            self.indents.push(self.indent);
            if self.indent < 0 {
                self.indent = if flow { INDENT } else { 0 };
            } else if !indentless {
                self.indent += INDENT;
            }
        }

        fn pop_indent(&mut self) {
            self.indent = self.indents.pop().unwrap_or(-1);
        }

        fn write_indent(&mut self) {
            let indent = usize::try_from(self.indent).unwrap_or(0);
            if !self.indention
                || self.column > indent
                || (self.column == indent && !self.whitespace)
            {
                self.put_break();
            }
            while self.column < indent {
                self.put(' ');
            }
            self.whitespace = true;
            self.indention = true;
        }

        fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
            if need_ws && !self.whitespace {
                self.put(' ');
            }
            for c in ind.chars() {
                self.put(c);
            }
            self.whitespace = is_ws;
            self.indention = self.indention && is_indention;
        }

        fn node(&mut self, v: &Value, ctx: Ctx) {
            match v {
                Value::Mapping(m) => self.mapping(m),
                Value::Sequence(s) => self.sequence(s, ctx),
                Value::Tagged(t) => {
                    let tag = t.tag.to_string();
                    let tag = if tag.starts_with('!') {
                        tag
                    } else {
                        format!("!{tag}")
                    };
                    if !self.whitespace {
                        self.put(' ');
                    }
                    for c in tag.chars() {
                        self.put(c);
                    }
                    self.whitespace = false;
                    self.indention = false;
                    self.node(&t.value, ctx);
                }
                scalar => {
                    if let Some(sc) = scalar_of(scalar) {
                        self.scalar(&sc, ctx);
                    }
                }
            }
        }

        /// yaml_emitter_emit_block_mapping_key/value.
        fn mapping(&mut self, m: &Mapping) {
            if m.is_empty() {
                // yaml_emitter_check_empty_mapping: an empty mapping is written in flow style.
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
                return;
            }
            self.increase_indent(false, false);
            for (k, v) in m {
                self.write_indent();
                let key_ctx = Ctx {
                    mapping: true,
                    ..Ctx::default()
                };
                if check_simple_key(k) {
                    self.node(
                        k,
                        Ctx {
                            simple_key: true,
                            ..key_ctx
                        },
                    );
                    self.write_indicator(":", false, false, false);
                } else {
                    self.write_indicator("?", true, false, true);
                    self.node(k, key_ctx);
                    self.write_indent();
                    self.write_indicator(":", true, false, true);
                }
                self.node(v, key_ctx);
            }
            self.pop_indent();
        }

        /// yaml_emitter_emit_block_sequence_item. In a mapping the dashes are not indented
        /// (`scope:` then `- a` at the key's column).
        fn sequence(&mut self, s: &[Value], ctx: Ctx) {
            if s.is_empty() {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
                return;
            }
            self.increase_indent(false, ctx.mapping && !self.indention);
            for item in s {
                self.write_indent();
                self.write_indicator("-", true, false, true);
                self.node(item, Ctx::default());
            }
            self.pop_indent();
        }

        /// yaml_emitter_emit_scalar: select_scalar_style, process_tag, process_scalar.
        fn scalar(&mut self, sc: &Scalar, ctx: Ctx) {
            let a = analyze(&sc.chars);
            let no_tag = sc.tag.is_none();
            let mut style = sc.style;
            if ctx.simple_key && a.multiline {
                style = Style::Double;
            }
            if style == Style::Plain {
                if !a.block_plain {
                    style = Style::Single;
                }
                if sc.chars.is_empty() && ctx.simple_key {
                    style = Style::Single;
                }
                if no_tag && !sc.plain_implicit {
                    style = Style::Single;
                }
            }
            if style == Style::Single && !a.single_quoted {
                style = Style::Double;
            }
            if style == Style::Literal && (!a.block || ctx.simple_key) {
                style = Style::Double;
            }
            let tag = match sc.tag {
                Some(t) => Some(t),
                None if !sc.quoted_implicit && style != Style::Plain => Some("!"),
                None => None,
            };
            if let Some(t) = tag {
                if !self.whitespace {
                    self.put(' ');
                }
                for c in t.chars() {
                    self.put(c);
                }
                self.whitespace = false;
                self.indention = false;
            }
            self.increase_indent(true, false);
            let allow_breaks = !ctx.simple_key;
            match style {
                Style::Plain => self.write_plain(&sc.chars, allow_breaks),
                Style::Single => self.write_single(&sc.chars, allow_breaks),
                Style::Double => self.write_double(&sc.chars, allow_breaks),
                Style::Literal => self.write_literal(&sc.chars),
            }
            self.pop_indent();
        }

        fn write_plain(&mut self, s: &[char], allow_breaks: bool) {
            if !self.whitespace && !s.is_empty() {
                self.put(' ');
            }
            let (mut spaces, mut breaks) = (false, false);
            for (i, &c) in s.iter().enumerate() {
                if c == ' ' {
                    if allow_breaks && !spaces && self.column > WIDTH && s.get(i + 1) != Some(&' ')
                    {
                        self.write_indent();
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        self.put_break();
                    }
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    self.put(c);
                    self.indention = false;
                    spaces = false;
                    breaks = false;
                }
            }
            self.whitespace = false;
            self.indention = false;
        }

        fn write_single(&mut self, s: &[char], allow_breaks: bool) {
            self.write_indicator("'", true, false, false);
            let (mut spaces, mut breaks) = (false, false);
            let last = s.len().saturating_sub(1);
            for (i, &c) in s.iter().enumerate() {
                if c == ' ' {
                    if allow_breaks
                        && !spaces
                        && self.column > WIDTH
                        && i != 0
                        && i != last
                        && s.get(i + 1) != Some(&' ')
                    {
                        self.write_indent();
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        self.put_break();
                    }
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    if c == '\'' {
                        self.put('\'');
                    }
                    self.put(c);
                    self.indention = false;
                    spaces = false;
                    breaks = false;
                }
            }
            if breaks {
                self.write_indent();
            }
            self.write_indicator("'", false, false, false);
            self.whitespace = false;
            self.indention = false;
        }

        fn write_double(&mut self, s: &[char], allow_breaks: bool) {
            self.write_indicator("\"", true, false, false);
            let mut spaces = false;
            let last = s.len().saturating_sub(1);
            for (i, &c) in s.iter().enumerate() {
                if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                    self.put('\\');
                    let esc = match c {
                        '\0' => Some('0'),
                        '\u{7}' => Some('a'),
                        '\u{8}' => Some('b'),
                        '\t' => Some('t'),
                        '\n' => Some('n'),
                        '\u{b}' => Some('v'),
                        '\u{c}' => Some('f'),
                        '\r' => Some('r'),
                        '\u{1b}' => Some('e'),
                        '"' => Some('"'),
                        '\\' => Some('\\'),
                        '\u{85}' => Some('N'),
                        '\u{a0}' => Some('_'),
                        '\u{2028}' => Some('L'),
                        '\u{2029}' => Some('P'),
                        _ => None,
                    };
                    if let Some(e) = esc {
                        self.put(e);
                    } else {
                        let v = u32::from(c);
                        let (ind, width) = if v <= 0xff {
                            ('x', 2)
                        } else if v <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(ind);
                        for ch in format!("{v:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                    spaces = false;
                } else if c == ' ' {
                    if allow_breaks && !spaces && self.column > WIDTH && i != 0 && i != last {
                        self.write_indent();
                        if s.get(i + 1) == Some(&' ') {
                            self.put('\\');
                        }
                    } else {
                        self.put(c);
                    }
                    spaces = true;
                } else {
                    self.put(c);
                    spaces = false;
                }
            }
            self.write_indicator("\"", false, false, false);
            self.whitespace = false;
            self.indention = false;
        }

        fn write_literal(&mut self, s: &[char]) {
            self.write_indicator("|", true, false, false);
            // yaml_emitter_write_block_scalar_hints
            if s.first().is_some_and(|&c| c == ' ' || is_break(c)) {
                self.write_indicator(&INDENT.to_string(), false, false, false);
            }
            self.open_ended = 0;
            let chomp = match s {
                [] => Some("-"),
                [.., l] if !is_break(*l) => Some("-"),
                [_] => Some("+"),
                [.., p, _] if is_break(*p) => Some("+"),
                _ => None,
            };
            if let Some(ch) = chomp {
                if ch == "+" {
                    self.open_ended = 2;
                }
                self.write_indicator(ch, false, false, false);
            }
            self.put_break();
            self.indention = true;
            self.whitespace = true;
            let mut breaks = true;
            for &c in s {
                if is_break(c) {
                    self.write_break(c);
                    self.indention = true;
                    breaks = true;
                } else {
                    if breaks {
                        self.write_indent();
                    }
                    self.put(c);
                    self.indention = false;
                    breaks = false;
                }
            }
        }
    }

    /// yaml_emitter_check_simple_key.
    fn check_simple_key(k: &Value) -> bool {
        match k {
            Value::Mapping(m) => m.is_empty(),
            Value::Sequence(s) => s.is_empty(),
            Value::Tagged(_) => false,
            scalar => scalar_of(scalar).is_some_and(|sc| {
                let tag_len = sc.tag.map_or(0, str::len);
                !analyze(&sc.chars).multiline && sc.bytes() + tag_len <= SIMPLE_KEY_MAX
            }),
        }
    }

    #[cfg(test)]
    pub(super) fn dump_value_for_test(v: &Value) -> String {
        let mut m = Mapping::new();
        m.insert(Value::String("k".into()), v.clone());
        dump_mapping(&m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/config");

    fn fixture(name: &str) -> String {
        fs::read_to_string(format!("{FIXTURES}/{name}.yml")).unwrap()
    }

    /// A copy of the Ruby-written fixture in a fresh directory, loaded.
    fn loaded() -> (tempfile::TempDir, PathBuf, UaacConfig) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".uaac.yml");
        fs::write(&path, fixture("ruby_written")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let cfg = UaacConfig::load(Some(path.to_str().unwrap())).unwrap();
        (dir, path, cfg)
    }

    fn on_disk(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    #[test]
    fn loading_a_ruby_written_file_finds_the_current_target_and_context() {
        let (_d, _p, cfg) = loaded();
        assert_eq!(cfg.target().as_deref(), Some("https://uaa.example.com"));
        assert_eq!(cfg.context().as_deref(), Some("admin"));
        assert_eq!(cfg.value("expires_in"), Some(&Value::Number(43199.into())));
        assert_eq!(
            cfg.target_value("skip_ssl_validation"),
            Some(&Value::Bool(true))
        );
        assert_eq!(cfg.target_value("ca_cert"), Some(&Value::Null));
        assert_eq!(
            cfg.targets(),
            vec![
                ("http://localhost:8080/uaa".to_owned(), false),
                ("https://uaa.example.com".to_owned(), true),
                ("legacy".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_ruby_written_file_survives_load_and_save_byte_for_byte() {
        let (_d, path, cfg) = loaded();
        cfg.save().unwrap();
        assert_eq!(on_disk(&path), fixture("ruby_written"));
    }

    #[test]
    fn saving_writes_the_file_with_mode_0600() {
        let (_d, path, cfg) = loaded();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        cfg.save().unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_missing_file_is_created_empty_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".uaac.yml");
        let cfg = UaacConfig::load(Some(path.to_str().unwrap())).unwrap();
        assert_eq!(on_disk(&path), fixture("created"));
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(cfg.target(), None);
        assert!(cfg.targets().is_empty());
        cfg.save().unwrap();
        assert_eq!(on_disk(&path), "--- {}\n");
    }

    #[test]
    fn a_group_or_world_readable_file_draws_a_warning() {
        let p = Path::new("/home/u/.uaac.yml");
        assert_eq!(
            readable_warning(p, 0o100644).as_deref(),
            Some(
                "WARNING: /home/u/.uaac.yml is readable by other users; \
                 run chmod 600 /home/u/.uaac.yml"
            )
        );
        assert!(readable_warning(p, 0o100640).is_some());
        assert!(readable_warning(p, 0o100604).is_some());
        assert_eq!(readable_warning(p, 0o100600), None);
    }

    #[test]
    fn a_file_that_is_not_a_mapping_is_rejected_with_uaacs_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".uaac.yml");
        for text in ["--- [a, b]\n", "just a string\n", ""] {
            fs::write(&path, text).unwrap();
            let err = UaacConfig::load(Some(path.to_str().unwrap())).unwrap_err();
            assert!(matches!(err, ConfigError::InvalidFile(_)), "{text:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "\nInvalid config file {}.\nIf it's from an old version of uaac, please \
                     remove it.\nNote that the uaac command structure has changed.\nPlease \
                     review the new commands with 'uaac help'\n",
                    path.display()
                )
            );
        }
    }

    #[test]
    fn a_top_level_key_with_a_space_marks_an_old_file_as_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".uaac.yml");
        fs::write(&path, "---\nold style key: 1\n").unwrap();
        let err = UaacConfig::load(Some(path.to_str().unwrap())).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidFile(_)));
    }

    #[test]
    fn a_yaml_string_config_is_read_but_never_saved() {
        let mut cfg = UaacConfig::load(Some("--- {}")).unwrap();
        assert_eq!(cfg.file(), None);
        cfg.set_target("https://Example.com").unwrap();
        assert_eq!(cfg.yaml(), "---\nhttps://example.com:\n  current: true\n");
        let empty = UaacConfig::load(Some("")).unwrap();
        assert!(empty.document().is_empty());
        let yaml = UaacConfig::load(Some("---\nhttps://a.b:\n  current: true\n")).unwrap();
        assert_eq!(yaml.target().as_deref(), Some("https://a.b"));
    }

    #[test]
    fn the_default_path_prefers_uaac_home_over_home() {
        let p =
            |a: Option<&str>, b: Option<&str>| path_from_env(a.map(Into::into), b.map(Into::into));
        assert_eq!(p(Some("/u"), Some("/h")), PathBuf::from("/u/.uaac.yml"));
        assert_eq!(p(Some(""), Some("/h")), PathBuf::from("/h/.uaac.yml"));
        assert_eq!(p(None, Some("/h")), PathBuf::from("/h/.uaac.yml"));
        assert_eq!(p(None, None), PathBuf::from("/.uaac.yml"));
    }

    #[test]
    fn only_the_first_current_entry_stays_current_after_loading() {
        let cfg = UaacConfig::load(Some(
            "---\na:\n  current: false\nb:\n  current: true\n  contexts:\n    x:\n      current: true\n    y:\n      current: true\nc:\n  current: true\n",
        ))
        .unwrap();
        assert_eq!(cfg.target().as_deref(), Some("b"));
        assert_eq!(cfg.context().as_deref(), Some("x"));
        assert_eq!(
            cfg.yaml(),
            "---\na:\n  current: false\nb:\n  current: true\n  contexts:\n    x:\n      current: true\n    \"y\": {}\nc: {}\n"
        );
    }

    /// Each scenario below was run through the real config.rb (and TokenCli#set_context) on
    /// the same fixture; the expected files are what Ruby wrote.
    fn assert_matches_ruby(path: &Path, scenario: &str) {
        assert_eq!(on_disk(path), fixture(scenario), "scenario {scenario}");
    }

    #[test]
    fn selecting_a_target_by_index_moves_the_current_marker_like_uaac() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(cfg.set_target(0_i64).unwrap(), "http://localhost:8080/uaa");
        assert_eq!(cfg.target().as_deref(), Some("http://localhost:8080/uaa"));
        assert_eq!(cfg.context().as_deref(), Some("admin"));
        assert_matches_ruby(&path, "set_target_index_0");
    }

    #[test]
    fn reselecting_the_current_target_moves_its_marker_to_the_end_like_uaac() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(
            cfg.set_target("HTTPS://UAA.EXAMPLE.COM").unwrap(),
            "https://uaa.example.com"
        );
        assert_eq!(cfg.context().as_deref(), Some("admin"));
        assert_matches_ruby(&path, "set_target_same");
    }

    #[test]
    fn selecting_an_unknown_target_name_creates_it_lowercased_without_a_context() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(
            cfg.set_target("https://New.example.com").unwrap(),
            "https://new.example.com"
        );
        assert_eq!(cfg.context(), None);
        assert_matches_ruby(&path, "set_target_new");
    }

    #[test]
    fn an_index_past_the_end_is_an_invalid_target() {
        let (_d, path, mut cfg) = loaded();
        let err = cfg.set_target(7_i64).unwrap_err();
        assert_eq!(err.to_string(), "invalid target, 7");
        assert_eq!(
            cfg.set_target(-1_i64).unwrap_err().to_string(),
            "invalid target, -1"
        );
        assert_eq!(on_disk(&path), fixture("ruby_written"));
    }

    #[test]
    fn target_exists_answers_like_uaacs_target_query() {
        let (_d, _p, cfg) = loaded();
        assert_eq!(
            cfg.target_exists(1_usize).as_deref(),
            Some("https://uaa.example.com")
        );
        assert_eq!(
            cfg.target_exists("HTTP://LOCALHOST:8080/UAA").as_deref(),
            Some("http://localhost:8080/uaa")
        );
        assert_eq!(cfg.target_exists("https://nowhere"), None);
        assert_eq!(cfg.target_exists(3_i64), None);
    }

    #[test]
    fn selecting_a_context_by_name_or_index_moves_the_current_marker_like_uaac() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(cfg.set_context("Marissa").unwrap(), "marissa");
        assert_matches_ruby(&path, "set_context_marissa");
        let (_d2, path2, mut cfg2) = loaded();
        assert_eq!(cfg2.set_context(1_i64).unwrap(), "marissa");
        assert_eq!(cfg2.context().as_deref(), Some("marissa"));
        assert_matches_ruby(&path2, "set_context_index_1");
    }

    #[test]
    fn selecting_an_unknown_context_name_creates_it() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(cfg.set_context("nobody").unwrap(), "nobody");
        assert_matches_ruby(&path, "set_context_new");
    }

    #[test]
    fn valid_context_names_only_existing_contexts() {
        let (_d, _p, cfg) = loaded();
        assert_eq!(cfg.valid_context("MARISSA").unwrap(), "marissa");
        assert_eq!(cfg.valid_context(0_i64).unwrap(), "admin");
        assert_eq!(
            cfg.valid_context("nobody").unwrap_err().to_string(),
            "unknown context nobody"
        );
        assert_eq!(
            cfg.valid_context(5_i64).unwrap_err().to_string(),
            "unknown context 5"
        );
        let none = UaacConfig::load(Some("--- {}")).unwrap();
        assert_eq!(
            none.valid_context("x").unwrap_err().to_string(),
            "target not set"
        );
    }

    #[test]
    fn deleting_the_current_context_unsets_it() {
        let (_d, path, mut cfg) = loaded();
        cfg.delete(Some("https://uaa.example.com"), Some("ADMIN"))
            .unwrap();
        assert_eq!(cfg.context(), None);
        assert_eq!(cfg.target().as_deref(), Some("https://uaa.example.com"));
        assert_matches_ruby(&path, "delete_context");
    }

    #[test]
    fn deleting_another_target_keeps_the_current_one() {
        let (_d, path, mut cfg) = loaded();
        cfg.delete(Some("http://localhost:8080/uaa"), None).unwrap();
        assert_eq!(cfg.target().as_deref(), Some("https://uaa.example.com"));
        assert_eq!(cfg.context().as_deref(), Some("admin"));
        assert_matches_ruby(&path, "delete_target");
    }

    #[test]
    fn deleting_the_current_target_unsets_target_and_context() {
        let (_d, path, mut cfg) = loaded();
        cfg.delete(Some("https://uaa.example.com"), None).unwrap();
        assert_eq!((cfg.target(), cfg.context()), (None, None));
        assert_matches_ruby(&path, "delete_current_target");
    }

    #[test]
    fn deleting_without_a_target_clears_everything_even_with_a_context() {
        let (_d, path, mut cfg) = loaded();
        cfg.delete(None, Some("admin")).unwrap();
        assert_eq!((cfg.target(), cfg.context()), (None, None));
        assert_matches_ruby(&path, "delete_all");
    }

    #[test]
    fn add_opts_merges_into_the_current_context_in_place() {
        let (_d, path, mut cfg) = loaded();
        cfg.add_opts(&[
            ("trace".to_owned(), Value::Bool(false)),
            ("new_key".to_owned(), Value::String("x".into())),
            ("expires_in".to_owned(), Value::Number(10.into())),
        ])
        .unwrap();
        assert_eq!(cfg.value("new_key"), Some(&Value::String("x".into())));
        assert_matches_ruby(&path, "add_opts");
    }

    #[test]
    fn target_opts_merges_into_the_current_target_and_reserves_contexts() {
        let (_d, path, mut cfg) = loaded();
        cfg.target_opts(&[
            ("skip_ssl_validation".to_owned(), Value::Bool(false)),
            ("basic_auth".to_owned(), Value::Bool(true)),
        ])
        .unwrap();
        assert_matches_ruby(&path, "target_opts");
        let err = cfg
            .target_opts(&[("contexts".to_owned(), Value::Mapping(Mapping::new()))])
            .unwrap_err();
        assert_eq!(err.to_string(), "'contexts' is a reserved key");
    }

    #[test]
    fn settings_need_a_target_and_a_context() {
        let mut cfg = UaacConfig::load(Some("--- {}")).unwrap();
        let opts = [("a".to_owned(), Value::Null)];
        assert_eq!(
            cfg.target_opts(&opts).unwrap_err().to_string(),
            "target not set"
        );
        assert_eq!(
            cfg.set_context("x").unwrap_err().to_string(),
            "target not set"
        );
        cfg.set_target("https://a.b").unwrap();
        assert_eq!(
            cfg.add_opts(&opts).unwrap_err().to_string(),
            "target and context not set"
        );
        assert_eq!(
            cfg.delete_attr("a").unwrap_err().to_string(),
            "target and context not set"
        );
        assert_eq!(cfg.value("a"), None);
        assert_eq!(cfg.target_value("a"), None);
    }

    #[test]
    fn delete_attr_removes_a_value_but_saves_only_when_asked() {
        let (_d, path, mut cfg) = loaded();
        assert_eq!(cfg.delete_attr("trace").unwrap(), Some(Value::Bool(true)));
        assert_eq!(on_disk(&path), fixture("ruby_written"));
        cfg.save().unwrap();
        assert_matches_ruby(&path, "delete_attr");
    }

    fn json_map(s: &str) -> serde_json::Map<String, serde_json::Value> {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn a_token_for_an_existing_user_replaces_that_context_in_uaacs_order() {
        let (_d, path, mut cfg) = loaded();
        let resp = json_map(
            r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJ1c2VyX25hbWUiOiJtYXJpc3NhIn0.bmV3","token_type":"bearer","refresh_token":"r2-r","expires_in":599,"scope":"openid","jti":"j2"}"#,
        );
        let claims = serde_json::json!({"user_name": "marissa", "user_id": "u-2", "client_id": "cf", "scope": ["openid"]});
        assert_eq!(
            cfg.set_context_from_token(&resp, &claims).unwrap(),
            "marissa"
        );
        assert_eq!(cfg.context().as_deref(), Some("marissa"));
        assert_matches_ruby(&path, "token_replaces_context");
    }

    #[test]
    fn a_client_token_is_named_by_its_lowercased_client_id() {
        let (_d, path, mut cfg) = loaded();
        let resp = json_map(
            r#"{"access_token":"eyJhbGciOiJSUzI1NiJ9.eyJjbGllbnRfaWQiOiJhcHAifQ.c2ln","token_type":"bearer","expires_in":43199,"scope":"uaa.none","jti":"j3"}"#,
        );
        let claims = serde_json::json!({"client_id": "App", "scope": ["uaa.none"]});
        assert_eq!(cfg.set_context_from_token(&resp, &claims).unwrap(), "app");
        assert_matches_ruby(&path, "token_new_client");
    }

    #[test]
    fn a_token_without_names_goes_to_the_bad_token_context() {
        let (_d, path, mut cfg) = loaded();
        let resp = json_map(r#"{"access_token":"x.y.z","token_type":"bearer"}"#);
        assert_eq!(
            cfg.set_context_from_token(&resp, &serde_json::json!({}))
                .unwrap(),
            "bad_token"
        );
        assert_matches_ruby(&path, "token_no_name");
    }

    #[test]
    fn a_token_response_without_an_access_token_is_a_failed_attempt() {
        let (_d, _p, mut cfg) = loaded();
        let err = cfg
            .set_context_from_token(
                &json_map(r#"{"token_type":"bearer"}"#),
                &serde_json::json!({}),
            )
            .unwrap_err();
        assert_eq!(err.to_string(), "attempt to get token failed\n");
    }

    #[test]
    fn command_line_selectors_are_integers_only_in_rubys_canonical_form() {
        assert_eq!(Key::from_arg("0"), Key::Index(0));
        assert_eq!(Key::from_arg("12"), Key::Index(12));
        assert_eq!(Key::from_arg("-1"), Key::Index(-1));
        assert_eq!(Key::from_arg("007"), Key::Name("007".into()));
        assert_eq!(Key::from_arg("+1"), Key::Name("+1".into()));
        assert_eq!(Key::from_arg("-0"), Key::Name("-0".into()));
        assert_eq!(Key::from_arg(""), Key::Name(String::new()));
        assert_eq!(Key::from_arg("admin"), Key::Name("admin".into()));
    }

    /// Expected bytes come from Ruby 3.1's `YAML.dump({"k" => value})` (Psych 4.0.3, libyaml
    /// 0.2.5); `tests/fixtures/config/psych_cases.json` pairs each JSON value with them.
    #[test]
    fn scalars_and_collections_are_written_exactly_as_psych_writes_them() {
        let text = fs::read_to_string(format!("{FIXTURES}/psych_cases.json")).unwrap();
        let cases: Vec<(serde_json::Value, String)> = serde_json::from_str(&text).unwrap();
        assert!(cases.len() > 50);
        let mut failures = Vec::new();
        for (value, expected) in &cases {
            let got = psych::dump_value_for_test(&json_to_yaml(value));
            if &got != expected {
                failures.push(format!("{value}:\n  want {expected:?}\n  got  {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn keys_are_quoted_and_written_as_psych_writes_them() {
        let text = fs::read_to_string(format!("{FIXTURES}/psych_keys.json")).unwrap();
        let cases: Vec<(String, String)> = serde_json::from_str(&text).unwrap();
        for (key, expected) in &cases {
            let mut m = Mapping::new();
            m.insert(Value::String(key.clone()), Value::Number(1.into()));
            assert_eq!(&psych::dump_mapping(&m), expected, "key {key:?}");
        }
    }

    #[test]
    fn floats_print_as_rubys_float_to_s() {
        let cases = [
            (1.5, "1.5"),
            (100.0, "100.0"),
            (1e16, "1.0e+16"),
            (1e15, "1.0e+15"),
            (1e14, "100000000000000.0"),
            (1234567890123456.0, "1.234567890123456e+15"),
            (1234567890123456.8, "1234567890123456.8"),
            (0.00012345, "0.00012345"),
            (123456789.125, "123456789.125"),
            (0.001, "0.001"),
            (0.0001, "0.0001"),
            (0.00001, "1.0e-05"),
            (-2.5e-7, "-2.5e-07"),
            (1.25e100, "1.25e+100"),
            (0.0, "0.0"),
        ];
        for (f, want) in cases {
            assert_eq!(psych::ruby_float_to_s(f), want, "{f}");
        }
    }
}
