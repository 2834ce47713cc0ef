//! The typed manifest. These types are the single description of the format: the JSON Schema
//! (`qirvo schema`, the editors' completion and hover) is generated from them and their doc
//! comments, and the runtime reads a validated manifest into them.
//!
//! Fields of Qirvo manifests that the wasm runtime does not use are kept as raw JSON so that a
//! manifest written for Qirvo's web runtime is understood, not flagged.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::permissions::{LEGACY_NAMES, Permission};
use crate::units;

/// A Qirvo plugin manifest (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "Qirvo plugin manifest")]
pub struct Manifest {
    /// Version of the manifest format. `1` is current; `2` (used by some published plugins) is
    /// accepted and read the same way.
    #[serde(alias = "manifestVersion")]
    #[schemars(range(min = 1, max = 2))]
    pub manifest_version: u32,

    /// Unique plugin id: lowercase letters and digits in segments separated by `.` or `-`,
    /// e.g. `com.example.hello`. It names the plugin's storage, metrics and log lines.
    #[schemars(length(min = 3, max = 100), regex(pattern = r"^[a-z0-9]+([.-][a-z0-9]+)*$"))]
    pub id: String,

    /// Display name, 3–50 characters: letters, digits, spaces, hyphens and underscores.
    #[schemars(length(min = 3, max = 50))]
    pub name: String,

    /// Plugin version in semantic versioning: `MAJOR.MINOR.PATCH`, optionally with a
    /// pre-release tag such as `1.2.0-beta.1`.
    pub version: String,

    /// What the plugin does, 10–500 characters. The Qirvo marketplace rejects descriptions
    /// longer than 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 10, max = 500))]
    pub description: Option<String>,

    /// How the plugin integrates with Qirvo. Required by the Qirvo marketplace.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub plugin_type: Option<PluginType>,

    /// Who wrote the plugin: `"Name <email>"` or an object with `name` and optional `email`,
    /// `website` and `avatar`. Required by the Qirvo marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,

    /// Marketplace category. Required by the Qirvo marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,

    /// Path of the plugin's WebAssembly module (`.wasm`), relative to this manifest. The
    /// module's imports are checked against `permissions`.
    #[serde(alias = "entryPoint", alias = "entry")]
    #[schemars(length(min = 1))]
    pub main: String,

    /// Permissions the plugin asks for. A plugin is linked only with the host functions its
    /// permissions grant. Entries are names (`"storage-read"`) or objects with `type`,
    /// `description` and `required`; do not mix the two forms.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<PermissionEntry>,

    /// Network settings; they apply only with the `network-access` permission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkSettings>,

    /// Directories the plugin may see through WASI; they apply only with the
    /// `filesystem-access` permission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filesystem: Option<FilesystemSettings>,

    /// Resource limits the runtime enforces. Every limit has a default.
    #[serde(default)]
    pub resources: Resources,

    /// Event topics the plugin subscribes to; each event is delivered to the module's
    /// `qirvo_on_event` export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,

    /// Plugin settings, readable through the `config_get` host function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Map<String, Value>>,

    /// JSON Schema of the settings users can change.
    #[serde(alias = "configSchema", default, skip_serializing_if = "Option::is_none")]
    pub config_schema: Option<serde_json::Map<String, Value>>,

    /// Default values of the settings (Qirvo web runtime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_config: Option<serde_json::Map<String, Value>>,

    /// Text shown to users for each requested permission: permission name → explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_descriptions: Option<BTreeMap<String, String>>,

    /// Entry file of the web UI (Qirvo web runtime; not used by the wasm runtime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,

    /// Entry file of a background service (Qirvo web runtime; not used by the wasm runtime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,

    /// Dashboard widget definition: `name`, `component`, `description`, `defaultSize`. Required
    /// when `type` is `dashboard-widget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_widget: Option<serde_json::Map<String, Value>>,

    /// CLI commands: objects with `name`, `description`, `usage`, `aliases` and `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<Value>>,

    /// Full pages: objects with `name`, `path`, `component` and `title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<Vec<Value>>,

    /// Navigation entries: objects with `label`, `path`, `icon` and `order`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_items: Option<Vec<Value>>,

    /// Third-party services the plugin calls: objects with `name`, `base_url` and
    /// `api_key_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_services: Option<Vec<Value>>,

    /// Incoming webhooks: objects with `name`, `endpoint` and `events`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Vec<Value>>,

    /// OAuth providers: objects with `provider` and `scopes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<Vec<Value>>,

    /// Qirvo install-time callbacks (`onInstall`, `onEnable`, ...): an object of function names
    /// or an array of hook names. Not the runtime's lifecycle hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<Value>,

    /// URL of the source repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Value>,

    /// URL of the plugin's home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,

    /// URL of the issue tracker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bugs: Option<Value>,

    /// Licence identifier, e.g. `MIT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,

    /// npm-style dependencies (package → version range) of the web runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<BTreeMap<String, String>>,

    /// npm-style peer dependencies of the web runtime.
    #[serde(rename = "peerDependencies", default, skip_serializing_if = "Option::is_none")]
    pub peer_dependencies: Option<BTreeMap<String, String>>,

    /// Required engine versions, e.g. `{"qirvo": ">=1.0.0"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engines: Option<BTreeMap<String, String>>,

    /// Search keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<String>>,

    /// Marketplace tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,

    /// Oldest Qirvo version the plugin supports (semver).
    #[serde(rename = "minQirvoVersion", default, skip_serializing_if = "Option::is_none")]
    pub min_qirvo_version: Option<String>,

    /// Newest Qirvo version the plugin supports (semver).
    #[serde(rename = "maxQirvoVersion", default, skip_serializing_if = "Option::is_none")]
    pub max_qirvo_version: Option<String>,

    /// Runtime requirements of the manifest format 2 draft (`version`, `environment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Value>,

    /// Marketplace pricing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Value>,

    /// Icon name or URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,

    /// Screenshot URLs for the marketplace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshots: Option<Vec<String>>,
}

/// How the plugin integrates with Qirvo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PluginType {
    /// A widget on the dashboard.
    DashboardWidget,
    /// A command-line tool.
    CliTool,
    /// A background service.
    Service,
    /// A full page.
    Page,
    /// Several of the above.
    Hybrid,
}

/// Marketplace category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Category {
    Productivity,
    Communication,
    Utilities,
    Integrations,
    Ai,
    Health,
    Finance,
    Entertainment,
    Education,
    Other,
}

/// The plugin's author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Author {
    /// `"Name <email>"`.
    Text(String),
    /// An object with the author's details.
    Details(AuthorDetails),
}

/// The author as an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthorDetails {
    /// The author's name.
    pub name: String,
    /// Contact e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Web site URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Avatar image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// One requested permission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PermissionEntry {
    /// Just the name.
    Name(PermissionNameText),
    /// The name with details.
    Detailed(PermissionDetails),
}

impl PermissionEntry {
    /// The permission name as written.
    pub fn name(&self) -> &str {
        match self {
            PermissionEntry::Name(name) => &name.0,
            PermissionEntry::Detailed(details) => &details.permission.0,
        }
    }
}

/// A permission name as written in the manifest (canonical or legacy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PermissionNameText(pub String);

impl JsonSchema for PermissionNameText {
    fn schema_name() -> Cow<'static, str> {
        "PermissionName".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let canonical: Vec<&str> = Permission::ALL.iter().map(|p| p.name()).collect();
        let docs: Vec<&str> = Permission::ALL.iter().map(|p| p.doc()).collect();
        let legacy: Vec<&str> = LEGACY_NAMES.iter().map(|(name, _)| *name).collect();
        json_schema!({
            "description": "A permission name.",
            "anyOf": [
                { "type": "string", "enum": canonical, "enumDescriptions": docs },
                {
                    "type": "string",
                    "enum": legacy,
                    "deprecated": true,
                    "description": "A legacy permission name; use the kebab-case name instead."
                }
            ]
        })
    }
}

/// A permission with details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PermissionDetails {
    /// The permission name.
    #[serde(rename = "type")]
    pub permission: PermissionNameText,
    /// Why the plugin needs it, shown to the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `false` makes the permission optional: the plugin must cope when it is not granted.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    /// Narrows the permission: hosts for `network-access` (same patterns as
    /// `network.allowed_hosts`), paths for `filesystem-access`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// Network settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct NetworkSettings {
    /// Hosts the plugin may call: `api.example.com`, `*.example.com` (subdomains), optionally
    /// with `https://` and `:port`. `*` allows every host.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Timeout of one HTTP request: milliseconds, or a string such as `"10s"`. Default 10 s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<DurationValue>,
}

/// Filesystem settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct FilesystemSettings {
    /// Directories the plugin may see; each is preopened for WASI.
    #[serde(default)]
    pub directories: Vec<DirectoryGrant>,
}

/// One directory the plugin may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DirectoryGrant {
    /// Directory on the host, relative to the manifest. It must stay inside the plugin's
    /// folder: a path that leads out through `..`, as an absolute path or through a symlink is
    /// refused.
    pub path: String,
    /// Where the plugin sees it; defaults to `/` followed by `path`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<String>,
    /// `read-only` (default) or `read-write`.
    #[serde(default)]
    pub mode: AccessMode,
}

/// How a granted directory may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AccessMode {
    /// Read files and list directories.
    #[default]
    ReadOnly,
    /// Also create, write and delete.
    ReadWrite,
}

/// Resource limits.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Resources {
    /// Maximum linear memory of the plugin, e.g. `"128MB"` (units are binary: 1MB = 1024 KB).
    /// Default `128MB`. Growing memory beyond it fails inside the plugin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<ByteSize>,
    /// Time allowed for each lifecycle or event call: milliseconds, or a string such as
    /// `"30s"`. Default 30000 (30 s). Time stopped in a debugger does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<DurationValue>,
    /// Share of one CPU core the plugin may use, in percent (1–100). Default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub cpu: Option<u8>,
    /// Quota of the plugin's key-value storage, e.g. `"10MB"`. Default `10MB`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<ByteSize>,
    /// Maximum network transfer rate, e.g. `"1MB/s"`. Default unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<Bandwidth>,
    /// Maximum concurrent outbound connections. Default 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_connections: Option<u32>,
}

/// Defaults that apply when `resources` leaves a limit out.
pub mod defaults {
    use std::time::Duration;

    /// Memory limit: 128MB.
    pub const MEMORY: u64 = 128 << 20;
    /// Call timeout: 30 s.
    pub const TIMEOUT: Duration = Duration::from_secs(30);
    /// CPU share: a whole core.
    pub const CPU_PERCENT: u8 = 100;
    /// Storage quota: 10MB.
    pub const STORAGE: u64 = 10 << 20;
    /// Concurrent connections.
    pub const MAX_CONNECTIONS: u32 = 4;
    /// HTTP request timeout: 10 s.
    pub const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Resources {
    /// Memory limit in bytes.
    pub fn memory_bytes(&self) -> u64 {
        self.memory.map_or(defaults::MEMORY, |m| m.0)
    }

    /// Per-call timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout.map_or(defaults::TIMEOUT, |t| t.0)
    }

    /// CPU share in percent.
    pub fn cpu_percent(&self) -> u8 {
        self.cpu.unwrap_or(defaults::CPU_PERCENT)
    }

    /// Storage quota in bytes.
    pub fn storage_bytes(&self) -> u64 {
        self.storage.map_or(defaults::STORAGE, |s| s.0)
    }

    /// Bandwidth cap in bytes per second, if any.
    pub fn bandwidth_bytes_per_second(&self) -> Option<u64> {
        self.bandwidth.map(|b| b.0)
    }

    /// Concurrent connection cap.
    pub fn max_connections(&self) -> u32 {
        self.max_connections.unwrap_or(defaults::MAX_CONNECTIONS)
    }
}

/// A size in bytes, written as a string such as `"128MB"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        units::parse_size(&text).map(ByteSize).map_err(serde::de::Error::custom)
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&units::format_size(self.0))
    }
}

impl JsonSchema for ByteSize {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A size: a number and a unit (B, KB, MB, GB, TB; KiB, MiB, GiB, TiB are synonyms), no space.",
            "pattern": "^[0-9]+(\\.[0-9]+)?([KkMmGgTt]([Ii]?[Bb])?|[Bb])$",
            "examples": ["64MB", "512KB", "1GB"]
        })
    }
}

/// A rate in bytes per second, written as a string such as `"1MB/s"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bandwidth(pub u64);

impl<'de> Deserialize<'de> for Bandwidth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        units::parse_bandwidth(&text)
            .map(Bandwidth)
            .map_err(serde::de::Error::custom)
    }
}

impl Serialize for Bandwidth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{}/s", units::format_size(self.0)))
    }
}

impl JsonSchema for Bandwidth {
    fn schema_name() -> Cow<'static, str> {
        "Bandwidth".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A rate: a size followed by `/s`.",
            "pattern": "^[0-9]+(\\.[0-9]+)?([KkMmGgTt]([Ii]?[Bb])?|[Bb])/s$",
            "examples": ["1MB/s", "256KB/s"]
        })
    }
}

/// A duration: a number of milliseconds, or a string with a unit (`ms`, `s`, `m`, `h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationValue(pub Duration);

impl<'de> Deserialize<'de> for DurationValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(number) => units::duration_from_millis(number.as_f64().unwrap_or(f64::NAN)),
            Value::String(text) => units::parse_duration_text(&text),
            other => return Err(serde::de::Error::custom(format!("expected a duration, found {other}"))),
        }
        .map(DurationValue)
        .map_err(serde::de::Error::custom)
    }
}

impl Serialize for DurationValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX))
    }
}

impl JsonSchema for DurationValue {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration: milliseconds as a number, or a string with a unit (ms, s, m, h).",
            "anyOf": [
                { "type": "integer", "minimum": 1 },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$" }
            ],
            "examples": [30000, "30s"]
        })
    }
}
