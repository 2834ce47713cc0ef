//! DWARF types as a debugger shows them: read on demand from a type DIE into a small model
//! (base, pointer, struct/union, array, enum, Rust enum with a variant part), with typedefs and
//! qualifiers kept as the name the source used and resolved for reading.

use std::cell::RefCell;
use std::collections::HashMap;

use gimli::Reader as _;

use super::Slice;

/// A type DIE: its unit (index into the variable index's units) and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeId {
    /// Unit index.
    pub unit: usize,
    /// Offset in the unit.
    pub offset: gimli::UnitOffset<usize>,
}

/// How a base type's bits are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `bool`.
    Boolean,
    /// Signed integer.
    Signed,
    /// Unsigned integer.
    Unsigned,
    /// `char` in C (signed or unsigned 8-bit).
    Char,
    /// Rust `char` (a Unicode scalar value, 4 bytes).
    UnicodeChar,
    /// IEEE float.
    Float,
}

/// A member of a struct, union or class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Field name (`__0` for tuple fields).
    pub name: String,
    /// Byte offset in the aggregate.
    pub offset: u64,
    /// Its type.
    pub ty: Option<TypeId>,
}

/// One variant of a Rust enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Discriminant value selecting it; `None` for the default variant.
    pub discriminant: Option<u64>,
    /// Its single member (a struct named after the variant).
    pub member: Member,
}

/// A Rust enum's variant part: where the discriminant is and which variant each value selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantPart {
    /// The discriminant member, if the enum has one (niche layouts still have one).
    pub discriminant: Option<Member>,
    /// Variants.
    pub variants: Vec<Variant>,
}

/// What a type is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Integer, float, bool or character.
    Base(Encoding),
    /// Pointer or reference to `pointee` (`None`: `void *`).
    Pointer(Option<TypeId>),
    /// Struct, class or union.
    Struct {
        /// Whether the members overlap (a union).
        union: bool,
        /// Members in declaration order.
        members: Vec<Member>,
        /// Rust enums are structs with a variant part.
        variants: Option<VariantPart>,
    },
    /// Array of `element`, one count per dimension (`None`: unknown bound).
    Array {
        /// Element type.
        element: Option<TypeId>,
        /// Element counts, outermost dimension first.
        counts: Vec<Option<u64>>,
    },
    /// C enum.
    Enum {
        /// Enumerators and their values.
        enumerators: Vec<(String, i64)>,
        /// Whether the underlying integer is signed.
        signed: bool,
    },
    /// A function type (only shown, never read).
    Function,
    /// Anything else: shown by name, read as raw bytes.
    Other,
}

/// The source language of a unit (`DW_AT_language`): which formatter shows its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// C, and anything not listed (assembly, unknown).
    C,
    /// C++ (libc++ layouts).
    Cpp,
    /// Rust (std layouts).
    Rust,
}

impl Language {
    fn of(language: gimli::DwLang) -> Language {
        match language {
            gimli::DW_LANG_Rust => Language::Rust,
            gimli::DW_LANG_C_plus_plus
            | gimli::DW_LANG_C_plus_plus_03
            | gimli::DW_LANG_C_plus_plus_11
            | gimli::DW_LANG_C_plus_plus_14
            | gimli::DW_LANG_C_plus_plus_17
            | gimli::DW_LANG_C_plus_plus_20 => Language::Cpp,
            _ => Language::C,
        }
    }
}

/// A resolved type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Type {
    /// The name as written in the source (`uint32_t`, `&str`, `const char *`).
    pub name: String,
    /// Size in bytes, if known.
    pub size: Option<u64>,
    /// What it is, after typedefs and qualifiers.
    pub kind: Kind,
}

/// Reads types out of the units of one module.
pub struct TypeReader<'a> {
    dwarf: &'a gimli::Dwarf<Slice>,
    units: &'a [gimli::Unit<Slice>],
    /// Types already read, by id and depth (a read deep in a chain stops earlier). A value
    /// reads the same types again and again, and each read parses DIEs.
    cache: RefCell<HashMap<(TypeId, usize), Option<Type>>>,
    /// Languages of the units asked about.
    languages: RefCell<HashMap<usize, Language>>,
}

/// Most types cached by one reader before the cache starts again.
const MAX_CACHED_TYPES: usize = 4096;

/// Longest chain of types read through one another (typedefs, qualifiers, pointees, array
/// elements): malformed DWARF may loop, e.g. a pointer to itself.
const MAX_ALIASES: usize = 16;
/// Most children (members, enumerators, dimensions) read from one type DIE.
const MAX_CHILDREN: usize = 16384;
/// Most array dimensions kept.
const MAX_DIMENSIONS: usize = 64;

impl<'a> TypeReader<'a> {
    pub(super) fn new(dwarf: &'a gimli::Dwarf<Slice>, units: &'a [gimli::Unit<Slice>]) -> TypeReader<'a> {
        TypeReader {
            dwarf,
            units,
            cache: RefCell::default(),
            languages: RefCell::default(),
        }
    }

    fn text(
        &self,
        unit: &gimli::Unit<Slice>,
        entry: &gimli::DebuggingInformationEntry<Slice>,
        at: gimli::DwAt,
    ) -> Option<String> {
        let value = entry.attr_value(at)?;
        let text = self.dwarf.attr_string(unit, value).ok()?;
        text.to_string_lossy().ok().map(super::limits::bounded_text)
    }

    fn type_of(&self, unit: usize, entry: &gimli::DebuggingInformationEntry<Slice>) -> Option<TypeId> {
        match entry.attr_value(gimli::DW_AT_type)? {
            gimli::AttributeValue::UnitRef(offset) => Some(TypeId { unit, offset }),
            _ => None,
        }
    }

    fn udata(entry: &gimli::DebuggingInformationEntry<Slice>, at: gimli::DwAt) -> Option<u64> {
        entry.attr_value(at).and_then(|value| value.udata_value())
    }

    /// The type `id` names.
    pub fn read(&self, id: TypeId) -> Option<Type> {
        self.read_bounded(id, 0)
    }

    fn read_bounded(&self, id: TypeId, depth: usize) -> Option<Type> {
        if let Some(cached) = self.cache.borrow().get(&(id, depth)) {
            return cached.clone();
        }
        let ty = self.read_uncached(id, depth);
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= MAX_CACHED_TYPES {
            cache.clear();
        }
        cache.insert((id, depth), ty.clone());
        ty
    }

    fn read_uncached(&self, id: TypeId, depth: usize) -> Option<Type> {
        let unit = self.units.get(id.unit)?;
        let entry = unit.entry(id.offset).ok()?;
        let name = self.text(unit, &entry, gimli::DW_AT_name);
        let size = Self::udata(&entry, gimli::DW_AT_byte_size);
        let target = self.type_of(id.unit, &entry);
        let qualified = |prefix: &str, suffix: &str| -> Option<Type> {
            if depth >= MAX_ALIASES {
                return None;
            }
            let inner = match target {
                Some(target) => self.read_bounded(target, depth + 1)?,
                None => Type {
                    name: "void".into(),
                    size: None,
                    kind: Kind::Other,
                },
            };
            Some(Type {
                name: format!("{prefix}{}{suffix}", inner.name),
                ..inner
            })
        };
        let kind = match entry.tag() {
            gimli::DW_TAG_base_type => {
                let encoding = match entry.attr_value(gimli::DW_AT_encoding) {
                    Some(gimli::AttributeValue::Encoding(encoding)) => Some(encoding),
                    Some(other) => other.udata_value().and_then(|e| u8::try_from(e).ok()).map(gimli::DwAte),
                    None => None,
                };
                let encoding = match encoding {
                    Some(gimli::DW_ATE_boolean) => Encoding::Boolean,
                    Some(gimli::DW_ATE_float) => Encoding::Float,
                    Some(gimli::DW_ATE_signed_char | gimli::DW_ATE_unsigned_char) if size == Some(1) => Encoding::Char,
                    Some(gimli::DW_ATE_UTF) => Encoding::UnicodeChar,
                    Some(gimli::DW_ATE_signed | gimli::DW_ATE_signed_char) => Encoding::Signed,
                    _ => Encoding::Unsigned,
                };
                Kind::Base(encoding)
            }
            gimli::DW_TAG_pointer_type | gimli::DW_TAG_reference_type | gimli::DW_TAG_rvalue_reference_type => {
                let pointee_name = match target {
                    Some(target) if depth < MAX_ALIASES => self.read_bounded(target, depth + 1).map(|t| t.name),
                    _ => None,
                }
                .unwrap_or_else(|| "void".into());
                let name = name
                    .map(|n| n.replace(", alloc::alloc::Global>", ">"))
                    .unwrap_or_else(|| match entry.tag() {
                        gimli::DW_TAG_pointer_type => format!("{pointee_name} *"),
                        _ => format!("&{pointee_name}"),
                    });
                return Some(Type {
                    name,
                    size: size.or(Some(4)),
                    kind: Kind::Pointer(target),
                });
            }
            gimli::DW_TAG_typedef => {
                let resolved = qualified("", "")?;
                return Some(Type {
                    name: name.unwrap_or(resolved.name),
                    ..resolved
                });
            }
            gimli::DW_TAG_const_type => return qualified("const ", ""),
            gimli::DW_TAG_volatile_type => return qualified("volatile ", ""),
            gimli::DW_TAG_restrict_type | gimli::DW_TAG_atomic_type => return qualified("", ""),
            gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type | gimli::DW_TAG_union_type => {
                let (members, variants) = self.members(id, unit)?;
                Kind::Struct {
                    union: entry.tag() == gimli::DW_TAG_union_type,
                    members,
                    variants,
                }
            }
            gimli::DW_TAG_array_type => Kind::Array {
                element: target,
                counts: self.dimensions(unit, id.offset),
            },
            gimli::DW_TAG_enumeration_type => {
                let signed = target
                    .filter(|_| depth < MAX_ALIASES)
                    .and_then(|t| self.read_bounded(t, depth + 1))
                    .is_some_and(|t| t.kind == Kind::Base(Encoding::Signed));
                Kind::Enum {
                    enumerators: self.enumerators(unit, id.offset, signed),
                    signed,
                }
            }
            gimli::DW_TAG_subroutine_type => Kind::Function,
            _ => Kind::Other,
        };
        // An array's element is read once, for its name and its size: reading it once per use
        // doubles the work at every level of an array of arrays (or of itself).
        let element_type = match &kind {
            Kind::Array {
                element: Some(element), ..
            } if depth < MAX_ALIASES && (name.is_none() || size.is_none()) => self.read_bounded(*element, depth + 1),
            _ => None,
        };
        let name = match (&kind, name) {
            // `Vec<i32, alloc::alloc::Global>` is `Vec<i32>` to the person reading it.
            (_, Some(name)) => name.replace(", alloc::alloc::Global>", ">"),
            (Kind::Array { counts, .. }, None) => {
                let element = element_type.as_ref().map_or("?", |t| t.name.as_str());
                let dims: String = counts
                    .iter()
                    .map(|c| c.map_or("[]".to_string(), |c| format!("[{c}]")))
                    .collect();
                format!("{element}{dims}")
            }
            (Kind::Struct { union: true, .. }, None) => "union <anonymous>".into(),
            (_, None) => "<anonymous>".into(),
        };
        let size = match (&kind, size) {
            (_, Some(size)) => Some(size),
            (Kind::Array { counts, .. }, None) => counts
                .iter()
                .try_fold(element_type?.size?, |total, count| total.checked_mul((*count)?)),
            _ => None,
        };
        Some(Type { name, size, kind })
    }

    /// The first type parameter of a generic type (`T` of `Vec<T>`).
    pub fn template_type(&self, id: TypeId) -> Option<TypeId> {
        self.template_types(id).into_iter().next().map(|(_, ty)| ty)
    }

    /// The type parameters of a generic type, by name (`K` and `V` of `HashMap<K, V>`).
    pub fn template_types(&self, id: TypeId) -> Vec<(String, TypeId)> {
        let Some(unit) = self.units.get(id.unit) else {
            return Vec::new();
        };
        self.children(unit, id.offset)
            .iter()
            .filter(|c| c.tag() == gimli::DW_TAG_template_type_parameter)
            .filter_map(|c| {
                let ty = self.type_of(id.unit, c)?;
                Some((self.text(unit, c, gimli::DW_AT_name).unwrap_or_default(), ty))
            })
            .collect()
    }

    /// The language of the unit a type is declared in; C when the unit does not say.
    pub fn language(&self, unit_index: usize) -> Language {
        if let Some(known) = self.languages.borrow().get(&unit_index) {
            return *known;
        }
        let language = self
            .units
            .get(unit_index)
            .and_then(|unit| {
                let mut entries = unit.entries();
                let root = entries.next_dfs().ok()??;
                match root.attr_value(gimli::DW_AT_language)? {
                    gimli::AttributeValue::Language(language) => Some(Language::of(language)),
                    other => other
                        .udata_value()
                        .and_then(|v| u16::try_from(v).ok())
                        .map(|v| Language::of(gimli::DwLang(v))),
                }
            })
            .unwrap_or(Language::C);
        self.languages.borrow_mut().insert(unit_index, language);
        language
    }

    fn children(
        &self,
        unit: &gimli::Unit<Slice>,
        offset: gimli::UnitOffset<usize>,
    ) -> Vec<gimli::DebuggingInformationEntry<Slice>> {
        let mut found = Vec::new();
        let Ok(mut tree) = unit.entries_tree(Some(offset)) else {
            return found;
        };
        let Ok(root) = tree.root() else { return found };
        let mut children = root.children();
        while found.len() < MAX_CHILDREN
            && let Ok(Some(child)) = children.next()
        {
            found.push(child.entry().clone());
        }
        found
    }

    fn member(
        &self,
        unit_index: usize,
        unit: &gimli::Unit<Slice>,
        entry: &gimli::DebuggingInformationEntry<Slice>,
    ) -> Member {
        Member {
            name: self.text(unit, entry, gimli::DW_AT_name).unwrap_or_default(),
            // A member location that is an expression (virtual bases) is not supported: 0.
            offset: Self::udata(entry, gimli::DW_AT_data_member_location).unwrap_or(0),
            ty: self.type_of(unit_index, entry),
        }
    }

    fn members(&self, id: TypeId, unit: &gimli::Unit<Slice>) -> Option<(Vec<Member>, Option<VariantPart>)> {
        let mut members = Vec::new();
        let mut variants = None;
        for child in self.children(unit, id.offset) {
            match child.tag() {
                // Statics declared in a struct have no location in it.
                gimli::DW_TAG_member if child.attr_value(gimli::DW_AT_external).is_none() => {
                    members.push(self.member(id.unit, unit, &child));
                }
                gimli::DW_TAG_variant_part => variants = Some(self.variant_part(id.unit, unit, &child)),
                _ => {}
            }
        }
        Some((members, variants))
    }

    fn variant_part(
        &self,
        unit_index: usize,
        unit: &gimli::Unit<Slice>,
        part: &gimli::DebuggingInformationEntry<Slice>,
    ) -> VariantPart {
        let discriminant = match part.attr_value(gimli::DW_AT_discr) {
            Some(gimli::AttributeValue::UnitRef(offset)) => unit
                .entry(offset)
                .ok()
                .map(|entry| self.member(unit_index, unit, &entry)),
            _ => None,
        };
        let mut variants = Vec::new();
        for variant in self.children(unit, part.offset()) {
            if variant.tag() != gimli::DW_TAG_variant {
                continue;
            }
            let value = Self::udata(&variant, gimli::DW_AT_discr_value);
            if let Some(member) = self
                .children(unit, variant.offset())
                .iter()
                .find(|c| c.tag() == gimli::DW_TAG_member)
            {
                variants.push(Variant {
                    discriminant: value,
                    member: self.member(unit_index, unit, member),
                });
            }
        }
        VariantPart { discriminant, variants }
    }

    fn dimensions(&self, unit: &gimli::Unit<Slice>, offset: gimli::UnitOffset<usize>) -> Vec<Option<u64>> {
        self.children(unit, offset)
            .iter()
            .filter(|c| c.tag() == gimli::DW_TAG_subrange_type)
            .take(MAX_DIMENSIONS)
            .map(|range| {
                Self::udata(range, gimli::DW_AT_count).or_else(|| {
                    let lower = Self::udata(range, gimli::DW_AT_lower_bound).unwrap_or(0);
                    match range.attr_value(gimli::DW_AT_upper_bound) {
                        // -1 (all ones) is how an unknown bound (`int x[]`) is written.
                        Some(value) => value
                            .udata_value()
                            .filter(|u| *u != u64::MAX && *u as u32 != u32::MAX)
                            .and_then(|upper| (upper + 1).checked_sub(lower)),
                        None => None,
                    }
                })
            })
            .collect()
    }

    fn enumerators(
        &self,
        unit: &gimli::Unit<Slice>,
        offset: gimli::UnitOffset<usize>,
        signed: bool,
    ) -> Vec<(String, i64)> {
        self.children(unit, offset)
            .iter()
            .filter(|c| c.tag() == gimli::DW_TAG_enumerator)
            .filter_map(|c| {
                let name = self.text(unit, c, gimli::DW_AT_name)?;
                let value = match c.attr_value(gimli::DW_AT_const_value)? {
                    gimli::AttributeValue::Sdata(v) => v,
                    gimli::AttributeValue::Udata(v) => v as i64,
                    gimli::AttributeValue::Data1(v) if signed => i64::from(v as i8),
                    gimli::AttributeValue::Data2(v) if signed => i64::from(v as i16),
                    gimli::AttributeValue::Data4(v) if signed => i64::from(v as i32),
                    other => other.udata_value()? as i64,
                };
                Some((name, value))
            })
            .collect()
    }
}
