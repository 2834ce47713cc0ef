//! The table of diagnostic codes. Codes are stable: a code is never reused for another rule.
//!
//! Ranges: `Q00xx` JSON syntax, `Q01xx` fields and their values, `Q02xx` permissions,
//! `Q03xx` resources, `Q04xx` network and filesystem, `Q05xx` the compiled module,
//! `Q06xx` events and configuration.

use serde::{Serialize, Serializer};

use crate::diagnostic::Severity;

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident, $title:literal; )*) => {
        /// A stable diagnostic code (`Q####`). `qirvo check --explain CODE` prints its title.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as written in output, e.g. `"Q0201"`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The severity a diagnostic with this code has unless a rule says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule checks.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    /// The text is not valid JSON.
    Syntax = "Q0001", Error, "the manifest is not valid JSON";
    /// The same key appears twice in one object.
    DuplicateKey = "Q0002", Error, "a key appears twice in the same object";
    /// The document is not a JSON object.
    RootNotObject = "Q0003", Error, "the manifest must be a JSON object";

    /// A required field is absent.
    MissingField = "Q0101", Error, "a required field is missing";
    /// A field has the wrong JSON type.
    WrongType = "Q0102", Error, "a field has the wrong JSON type";
    /// A key that no manifest field has.
    UnknownKey = "Q0103", Warning, "a key is not a manifest field";
    /// A legacy spelling of a field name.
    DeprecatedKey = "Q0104", Warning, "a field uses a legacy spelling";
    /// `manifest_version` is not a supported format version.
    UnsupportedManifestVersion = "Q0105", Error, "the manifest format version is not supported";
    /// `id` does not follow the id rules.
    InvalidId = "Q0106", Error, "the plugin id is not valid";
    /// `version` is not semantic versioning.
    InvalidVersion = "Q0107", Error, "the version is not MAJOR.MINOR.PATCH";
    /// `name` breaks the length or character rules.
    InvalidName = "Q0108", Error, "the plugin name is not valid";
    /// `description` is too short or too long.
    InvalidDescription = "Q0109", Error, "the description length is out of range";
    /// A value is not one of the allowed names (type, category, mode, ...).
    InvalidEnumValue = "Q0110", Error, "a value is not one of the allowed names";
    /// `author` is malformed.
    InvalidAuthor = "Q0111", Error, "the author is not `Name <email>` or an object with a name";
    /// A field required by the plugin type is absent.
    MissingTypeSection = "Q0112", Error, "the plugin type needs a section that is missing";
    /// A value is empty where something is needed.
    EmptyValue = "Q0113", Error, "a value is empty";

    /// A permission name that does not exist.
    UnknownPermission = "Q0201", Error, "unknown permission";
    /// A permission declared twice.
    DuplicatePermission = "Q0202", Warning, "a permission is declared twice";
    /// A legacy permission name.
    DeprecatedPermission = "Q0203", Warning, "a permission uses a legacy name";
    /// Strings and objects mixed in one `permissions` array.
    MixedPermissionForms = "Q0204", Warning, "permissions mix strings and objects";
    /// `permission_descriptions` names a permission that is not declared.
    UndeclaredPermissionDescription = "Q0205", Warning, "a permission description names an undeclared permission";

    /// A size or duration that does not parse.
    InvalidQuantity = "Q0301", Error, "a resource value does not parse";
    /// A resource value outside what the runtime allows.
    ResourceOutOfRange = "Q0302", Error, "a resource value is out of range";
    /// Memory smaller than the module's declared minimum.
    MemoryBelowModuleMinimum = "Q0303", Error, "the memory limit is below what the module needs";

    /// `network` settings without `network-access`.
    NetworkWithoutPermission = "Q0401", Warning, "network settings have no effect without `network-access`";
    /// `network-access` without any allowed host.
    PermissionWithoutHosts = "Q0402", Error, "`network-access` needs `network.allowed_hosts`";
    /// An `allowed_hosts` entry that is not a host pattern.
    InvalidHostPattern = "Q0403", Error, "an allowed host pattern is malformed";
    /// `*` allows every host.
    AllowsEveryHost = "Q0404", Warning, "`*` allows every host";
    /// `filesystem` settings without `filesystem-access`, or the reverse.
    FilesystemPermissionMismatch = "Q0405", Warning, "filesystem settings and `filesystem-access` do not match";
    /// A filesystem directory entry that is not safe or not valid.
    InvalidDirectory = "Q0406", Error, "a filesystem directory entry is invalid";
    /// A granted directory that resolves (through a symlink, `..` or an absolute path) outside
    /// the plugin's folder.
    DirectoryOutsidePlugin = "Q0407", Error, "a granted directory resolves outside the plugin's folder";
    /// The plugin's own folder (or the folder holding its module) granted read-write.
    WritablePluginFiles = "Q0408", Warning, "a read-write directory holds the plugin's own manifest or module";

    /// `main` points at a file that does not exist.
    ModuleNotFound = "Q0501", Error, "the module named by `main` does not exist";
    /// `main` points at a file that cannot be read.
    ModuleUnreadable = "Q0502", Error, "the module named by `main` cannot be read";
    /// `main` points at something that is not a wasm module.
    ModuleInvalid = "Q0503", Error, "the module named by `main` is not a valid wasm module";
    /// The module imports a host function whose permission is not declared.
    ImportNeedsPermission = "Q0504", Error, "the module imports a host function that needs an undeclared permission";
    /// A declared permission that no import of the module uses.
    UnusedPermission = "Q0505", Hint, "a declared permission is never used by the module";
    /// An import that the host API does not have.
    UnknownImport = "Q0506", Error, "the module imports a function the host does not provide";
    /// A required lifecycle export is missing or has the wrong signature.
    MissingExport = "Q0507", Error, "a required export is missing or has the wrong type";
    /// An import whose permission is valid but whose function this host cannot offer.
    ImportUnavailable = "Q0508", Error, "the module imports a host function this runtime does not offer";
    /// An import with the right name and the wrong signature.
    ImportSignatureMismatch = "Q0509", Error, "a host function is imported with the wrong signature";
    /// Events are subscribed but the module cannot receive them.
    EventsWithoutHandler = "Q0510", Warning, "events are subscribed but `qirvo_on_event` is not exported";

    /// An event topic that is not valid.
    InvalidTopic = "Q0601", Error, "an event topic is not valid";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str().eq_ignore_ascii_case(text))
            .ok_or(())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "duplicate code {text}");
            assert_eq!(text.len(), 5);
            assert!(text.starts_with('Q') && text[1..].bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(text.parse::<Code>(), Ok(*code));
        }
    }
}
