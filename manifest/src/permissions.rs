//! Permission names: the twelve canonical Qirvo permissions and the legacy spellings that
//! published manifests and Qirvo's own SDK still use.

use std::fmt;

use serde::Serialize;

macro_rules! permissions {
    ($( $variant:ident = $name:literal, $doc:literal; )*) => {
        /// A canonical Qirvo permission.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $( #[doc = $doc] $variant, )*
        }

        impl Permission {
            /// Every permission, in documentation order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];

            /// The manifest spelling, e.g. `"network-access"`.
            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name,)* }
            }

            /// One sentence on what the permission grants.
            pub fn doc(self) -> &'static str {
                match self { $(Permission::$variant => $doc,)* }
            }
        }
    };
}

permissions! {
    StorageRead = "storage-read", "Read the plugin's own key-value storage.";
    StorageWrite = "storage-write", "Write to and delete from the plugin's own key-value storage (within the `resources.storage` quota).";
    NetworkAccess = "network-access", "Make HTTP requests to the hosts listed in `network.allowed_hosts`.";
    Notifications = "notifications", "Show notifications to the user.";
    FilesystemAccess = "filesystem-access", "See the directories listed in `filesystem.directories` through WASI.";
    ClipboardRead = "clipboard-read", "Read the clipboard (not offered by the wasm runtime).";
    ClipboardWrite = "clipboard-write", "Write to the clipboard (not offered by the wasm runtime).";
    Geolocation = "geolocation", "Read the user's location (not offered by the wasm runtime).";
    Camera = "camera", "Use the camera (not offered by the wasm runtime).";
    Microphone = "microphone", "Use the microphone (not offered by the wasm runtime).";
    Calendar = "calendar", "Read the user's calendar (not offered by the wasm runtime).";
    Contacts = "contacts", "Read the user's contacts (not offered by the wasm runtime).";
}

impl Permission {
    /// Looks up a canonical name (exact spelling).
    pub fn from_name(name: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// Whether the wasm runtime can grant this permission's host functions.
    pub fn is_offered_by_wasm_runtime(self) -> bool {
        matches!(
            self,
            Permission::StorageRead
                | Permission::StorageWrite
                | Permission::NetworkAccess
                | Permission::Notifications
                | Permission::FilesystemAccess
        )
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// Legacy names and what they mean now. `storage` means read and write to most authors, so it
/// maps to both; a fix offers each choice.
pub const LEGACY_NAMES: &[(&str, &[Permission])] = &[
    ("storage", &[Permission::StorageRead, Permission::StorageWrite]),
    ("network", &[Permission::NetworkAccess]),
    ("filesystem", &[Permission::FilesystemAccess]),
    ("location", &[Permission::Geolocation]),
    ("storage.read", &[Permission::StorageRead]),
    ("storage.write", &[Permission::StorageWrite]),
    ("filesystem.read", &[Permission::FilesystemAccess]),
    ("filesystem.write", &[Permission::FilesystemAccess]),
    ("api.external", &[Permission::NetworkAccess]),
    ("network.request", &[Permission::NetworkAccess]),
    ("notifications.show", &[Permission::Notifications]),
    ("clipboard.read", &[Permission::ClipboardRead]),
    ("clipboard.write", &[Permission::ClipboardWrite]),
    ("geolocation.read", &[Permission::Geolocation]),
    ("camera.access", &[Permission::Camera]),
    ("microphone.access", &[Permission::Microphone]),
];

/// What a permission string in a manifest means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermissionName {
    /// A canonical name.
    Canonical(Permission),
    /// A legacy name; the slice lists what it grants today.
    Legacy(&'static [Permission]),
    /// Not a permission; `suggestion` is the closest canonical name, if any is close.
    Unknown {
        /// The closest canonical name.
        suggestion: Option<Permission>,
    },
}

/// Classifies a permission string.
pub fn resolve(name: &str) -> PermissionName {
    if let Some(permission) = Permission::from_name(name) {
        return PermissionName::Canonical(permission);
    }
    if let Some((_, granted)) = LEGACY_NAMES.iter().find(|(legacy, _)| *legacy == name) {
        return PermissionName::Legacy(granted);
    }
    let suggestion =
        crate::suggest::closest(name, Permission::ALL.iter().map(|p| p.name())).and_then(Permission::from_name);
    PermissionName::Unknown { suggestion }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve() {
        assert_eq!(
            resolve("network-access"),
            PermissionName::Canonical(Permission::NetworkAccess)
        );
        assert_eq!(
            resolve("storage.write"),
            PermissionName::Legacy(&[Permission::StorageWrite])
        );
        assert_eq!(
            resolve("netwrk-access"),
            PermissionName::Unknown {
                suggestion: Some(Permission::NetworkAccess)
            }
        );
        assert_eq!(resolve("system"), PermissionName::Unknown { suggestion: None });
    }
}
