//! Values as a debugger shows them: a one-line summary (`{x: 1, y: 2}`, `"text"`, `Some(5)`,
//! `[1, 2, 3, …]`) and, for aggregates, children to expand. Reads go through [`Machine`], so
//! a value can live in linear memory or in a wasm local; a value that cannot be read says so.
//!
//! This module renders what DWARF describes the same way in every language (scalars, pointers,
//! arrays, structs, C enums). What a language's library means by its layouts is the job of
//! one submodule per language, chosen by the `DW_AT_language` of the unit a type is declared
//! in: [`rust`] (std's strings, smart pointers, cells, locks; [`rust_collections`] for its
//! hash tables, B-trees and rings) and [`c`] (C strings, shared with C++). A formatter that
//! does not recognise a layout returns `None` and the value is shown as the plain struct it
//! is: another std version may show raw fields, never a wrong value.

mod c;
mod rust;
mod rust_collections;
mod text;

pub use rust_collections::{Collection, Entry};
pub use text::Radix;
pub(crate) use text::rust_quote;

use crate::dwarf::types::{Encoding, Kind, Language, Member, Type, TypeId, TypeReader};
use crate::dwarf::variables::{Machine, Place};

/// Longest string read for a summary.
const MAX_STRING: usize = 256;
/// Elements and fields shown in a one-line summary.
const SUMMARY_ITEMS: usize = 8;
/// Nesting shown in a one-line summary.
const SUMMARY_DEPTH: usize = 2;
/// Widest scalar read (a `DW_AT_byte_size` can say anything, up to 2^64 bytes).
const MAX_SCALAR_BYTES: u64 = 16;
/// Members looked at when searching a std layout for its pointer and length.
const LAYOUT_SEARCH_MEMBERS: usize = 48;
/// Rust enums whose variant is itself an enum followed when listing fields (a variant's type
/// can be the enum itself in malformed DWARF), and wrappers around a reference count.
const MAX_VARIANT_NESTING: usize = 8;
/// Values rendered inside one another for one summary, wrappers included (`Rc<Box<Cell<T>>>`
/// renders four): malformed DWARF can make a wrapper contain itself.
const MAX_RENDER_NESTING: usize = 12;

/// Entries of a map compared with a key before a lookup gives up (`map["key"]` reads keys).
pub const MAX_KEY_SEARCH: u64 = 1 << 20;

/// A summary and what expanding it shows, or why the value cannot be shown.
type Described = Result<(String, Option<Children>), String>;

/// What expanding a value shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Children {
    /// The fields of a struct (or the active variant of a Rust enum) at `place`.
    Fields {
        /// Where the aggregate is.
        place: Place,
        /// Its type.
        ty: TypeId,
    },
    /// `count` elements of type `element` starting at `address` (arrays, slices, `Vec`).
    Elements {
        /// Where the first element is.
        place: Place,
        /// Element type.
        element: TypeId,
        /// Element size in bytes.
        stride: u64,
        /// How many.
        count: u64,
        /// Per-dimension counts below this one (multi-dimensional arrays).
        inner: Vec<Option<u64>>,
    },
    /// What a pointer points at.
    Pointee {
        /// Address.
        address: u64,
        /// Pointee type.
        ty: TypeId,
    },
    /// The entries of a collection that is not one run of memory (a hash table, a B-tree, a
    /// ring buffer), in the order the program iterates them; paged like elements.
    Entries(Collection),
}

impl Children {
    /// How many rows expanding shows, when they are paged by index.
    pub fn indexed_count(&self) -> Option<u64> {
        match self {
            Children::Elements { count, .. } => Some(*count),
            Children::Entries(collection) => Some(collection.count),
            _ => None,
        }
    }
}

/// One rendered value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Summary text.
    pub value: String,
    /// Type name.
    pub ty: String,
    /// Children, if it expands.
    pub children: Option<Children>,
    /// Where it is in linear memory.
    pub memory_reference: Option<u64>,
}

/// Renders values of one module.
pub struct Renderer<'a> {
    /// Types.
    pub types: TypeReader<'a>,
    /// How integers are written.
    pub radix: Radix,
    /// Renders in progress, one inside another: wrappers render their value at the same
    /// summary depth, so this, not the depth, bounds a type that contains itself.
    nesting: std::cell::Cell<usize>,
}

fn sub_place(place: &Place, offset: u64, size: Option<u64>) -> Place {
    match place {
        Place::Memory(address) => Place::Memory(address.saturating_add(offset)),
        Place::Bytes(bytes) => {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(bytes.len());
            let end = size.map_or(bytes.len(), |s| {
                start
                    .saturating_add(usize::try_from(s).unwrap_or(usize::MAX))
                    .min(bytes.len())
            });
            Place::Bytes(bytes[start..end].to_vec())
        }
        Place::Unavailable => Place::Unavailable,
    }
}

/// The bytes of a scalar of type `ty` (clamped to [`MAX_SCALAR_BYTES`]).
fn scalar_size(ty: &Type) -> usize {
    ty.size.unwrap_or(4).min(MAX_SCALAR_BYTES) as usize
}

/// `size` bytes at `place`; callers bound `size` (scalars, or at most [`MAX_STRING`]).
fn read(place: &Place, size: usize, machine: &mut dyn Machine) -> Option<Vec<u8>> {
    match place {
        Place::Memory(address) => {
            let mut buffer = vec![0; size];
            machine.read(*address, &mut buffer).then_some(buffer)
        }
        Place::Bytes(bytes) => {
            let mut buffer = bytes.clone();
            buffer.resize(size, 0);
            Some(buffer)
        }
        Place::Unavailable => None,
    }
}

/// The little-endian integer in `bytes` (up to 16; a shorter value is sign- or zero-extended):
/// the one decoder of wasm memory bytes, for the Variables view and for expressions alike.
pub(crate) fn le_integer(bytes: &[u8], signed: bool) -> i128 {
    let mut buffer = [0u8; 16];
    let n = bytes.len().min(16);
    buffer[..n].copy_from_slice(&bytes[..n]);
    let value = i128::from_le_bytes(buffer);
    if signed && n > 0 && n < 16 {
        let shift = 128 - n as u32 * 8;
        (value << shift) >> shift
    } else {
        value
    }
}

/// The low 64 bits of [`le_integer`], unsigned.
fn unsigned(bytes: &[u8]) -> u64 {
    le_integer(&bytes[..bytes.len().min(8)], false) as u64
}

/// [`le_integer`] of at most 8 bytes, signed.
fn signed(bytes: &[u8]) -> i64 {
    le_integer(&bytes[..bytes.len().min(8)], true) as i64
}

impl<'a> Renderer<'a> {
    /// A renderer writing integers in decimal.
    pub fn new(types: TypeReader<'a>) -> Renderer<'a> {
        Renderer {
            types,
            radix: Radix::Decimal,
            nesting: std::cell::Cell::new(0),
        }
    }

    /// The same renderer writing integers in `radix`.
    pub fn with_radix(self, radix: Radix) -> Renderer<'a> {
        Renderer { radix, ..self }
    }
}

impl Renderer<'_> {
    /// Renders the value of type `ty` at `place`.
    pub fn render(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine) -> Rendered {
        self.render_depth(ty, place, machine, 0)
    }

    fn render_depth(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine, depth: usize) -> Rendered {
        self.nesting.set(self.nesting.get() + 1);
        let rendered = self.render_nested(ty, place, machine, depth);
        self.nesting.set(self.nesting.get() - 1);
        rendered
    }

    fn render_nested(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine, depth: usize) -> Rendered {
        let memory_reference = match place {
            Place::Memory(address) => Some(*address),
            _ => None,
        };
        let Some(resolved) = ty.and_then(|id| self.types.read(id)) else {
            return Rendered {
                value: "<unknown type>".into(),
                ty: String::new(),
                children: None,
                memory_reference,
            };
        };
        if depth > MAX_RENDER_NESTING || self.nesting.get() > MAX_RENDER_NESTING {
            return Rendered {
                value: "…".into(),
                ty: resolved.name,
                children: None,
                memory_reference,
            };
        }
        // Pieces that cover only part of a value leave the rest unknown: never show zeros.
        let partial =
            matches!((place, resolved.size), (Place::Bytes(bytes), Some(size)) if (bytes.len() as u64) < size);
        if *place == Place::Unavailable || partial {
            return Rendered {
                value: if partial {
                    "<partly optimized out>"
                } else {
                    "<optimized out>"
                }
                .into(),
                ty: resolved.name,
                children: None,
                memory_reference: None,
            };
        }
        let id = ty.unwrap_or(TypeId {
            unit: 0,
            offset: gimli::UnitOffset(0),
        });
        let (value, children) = match self.describe(id, &resolved, place, machine, depth) {
            Ok(described) => described,
            Err(why) => (format!("<{why}>"), None),
        };
        Rendered {
            value,
            ty: resolved.name,
            children,
            memory_reference,
        }
    }

    /// The summary and children of a value: its language's formatter first, then the plain
    /// DWARF shape.
    fn describe(&self, id: TypeId, ty: &Type, place: &Place, machine: &mut dyn Machine, depth: usize) -> Described {
        let formatted = match self.types.language(id.unit) {
            Language::Rust => self.describe_rust(id, ty, place, machine, depth),
            Language::C | Language::Cpp => None,
        };
        formatted.unwrap_or_else(|| self.describe_plain(id, ty, place, machine, depth))
    }

    fn describe_plain(
        &self,
        id: TypeId,
        ty: &Type,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Described {
        let unreadable = || "unreadable memory".to_string();
        match &ty.kind {
            Kind::Base(encoding) => {
                let bytes = read(place, scalar_size(ty), machine).ok_or_else(unreadable)?;
                Ok((text::scalar(*encoding, &bytes, self.radix), None))
            }
            Kind::Enum {
                enumerators,
                signed: is_signed,
            } => {
                let bytes = read(place, scalar_size(ty), machine).ok_or_else(unreadable)?;
                let value = if *is_signed {
                    signed(&bytes)
                } else {
                    unsigned(&bytes) as i64
                };
                let name = enumerators.iter().find(|(_, v)| *v == value).map(|(n, _)| n.clone());
                Ok((name.unwrap_or_else(|| value.to_string()), None))
            }
            Kind::Pointer(pointee) => {
                let bytes = read(place, scalar_size(ty), machine).ok_or_else(unreadable)?;
                let address = unsigned(&bytes);
                let target = pointee.and_then(|p| self.types.read(p).map(|t| (p, t)));
                let mut text = format!("{address:#010x}");
                if address == 0 {
                    return Ok(("null".into(), None));
                }
                match &target {
                    Some((_, t)) if t.kind == Kind::Base(Encoding::Char) => {
                        if let Some(string) = c::c_string(address, machine) {
                            text.push_str(&format!(" {string}"));
                        }
                    }
                    Some((_, t)) if matches!(t.kind, Kind::Function | Kind::Other) => {}
                    Some((pointee_id, t)) if depth < SUMMARY_DEPTH => {
                        if let Ok((summary, _)) =
                            self.describe(*pointee_id, t, &Place::Memory(address), machine, depth + 1)
                        {
                            text.push_str(&format!(" → {summary}"));
                        }
                    }
                    _ => {}
                }
                let children = target
                    .filter(|(_, t)| !matches!(t.kind, Kind::Function | Kind::Other))
                    .map(|(id, _)| Children::Pointee { address, ty: id });
                Ok((text, children))
            }
            Kind::Array { element, counts } => {
                let element = element.ok_or("array of unknown type")?;
                let element_type = self.types.read(element).ok_or("array of unknown type")?;
                let inner = counts.get(1..).unwrap_or_default().to_vec();
                // Sizes come from the module's DWARF: never trust them not to overflow.
                let inner_count = inner.iter().fold(1u64, |n, c| n.saturating_mul(c.unwrap_or(0)));
                let stride = element_type.size.unwrap_or(0).saturating_mul(inner_count);
                let count = counts.first().copied().flatten().unwrap_or(0);
                let text_like = element_type.kind == Kind::Base(Encoding::Char) && inner.is_empty();
                let children = Children::Elements {
                    place: place.clone(),
                    element,
                    stride,
                    count,
                    inner,
                };
                if text_like {
                    // A C `char` array reads as the string it holds.
                    let bytes = read(place, count.min(MAX_STRING as u64) as usize, machine).ok_or_else(unreadable)?;
                    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
                    return Ok((text::c_quote(&bytes[..end]), Some(children)));
                }
                Ok((self.elements_summary(&children, machine, depth), Some(children)))
            }
            Kind::Struct {
                union,
                members,
                variants,
            } => match variants {
                Some(part) => self.describe_variant(part, place, machine, depth),
                None => Ok(self.struct_summary(id, *union, members, place, machine, depth)),
            },
            Kind::Function => Ok(("<function>".into(), None)),
            Kind::Other => Ok((format!("<{}>", ty.name), None)),
        }
    }

    /// `{x: 1, y: 2}`: the first fields, each rendered, and the fields as children.
    fn struct_summary(
        &self,
        id: TypeId,
        union: bool,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> (String, Option<Children>) {
        let children = (!members.is_empty()).then(|| Children::Fields {
            place: place.clone(),
            ty: id,
        });
        let mut parts = Vec::new();
        if depth < SUMMARY_DEPTH {
            for member in members.iter().take(SUMMARY_ITEMS) {
                let field = sub_place(place, member.offset, None);
                let rendered = self.render_depth(member.ty, &field, machine, depth + 1);
                parts.push(format!("{}: {}", member.name, rendered.value));
            }
            if members.len() > SUMMARY_ITEMS {
                parts.push("…".into());
            }
        } else if !members.is_empty() {
            parts.push("…".into());
        }
        let summary = format!("{{{}}}", parts.join(", "));
        (if union { format!("union {summary}") } else { summary }, children)
    }

    /// The unsigned number a wrapper at `place` holds (`Cell<usize>`, an atomic, `NonZero`,
    /// `Unique<T>`): its first member's first member's ... scalar. A few levels only (it was a
    /// render at depth 0, which recursed forever when the count's type was an `Rc` again).
    fn innermost_number(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine) -> Option<u64> {
        let (ty, place) = self.innermost_scalar(ty?, place)?;
        let size = scalar_size(&self.types.read(ty)?);
        read(&place, size, machine).map(|bytes| unsigned(&bytes))
    }

    /// The scalar at the bottom of a chain of one-field wrappers, and where it is.
    fn innermost_scalar(&self, mut ty: TypeId, place: &Place) -> Option<(TypeId, Place)> {
        let mut place = place.clone();
        for _ in 0..MAX_VARIANT_NESTING {
            let resolved = self.types.read(ty)?;
            match &resolved.kind {
                Kind::Base(_) | Kind::Pointer(_) | Kind::Enum { .. } => return Some((ty, place)),
                Kind::Struct {
                    members,
                    variants: None,
                    ..
                } => {
                    let first = members.first()?;
                    place = sub_place(&place, first.offset, None);
                    ty = first.ty?;
                }
                _ => return None,
            }
        }
        None
    }

    fn elements_summary(&self, children: &Children, machine: &mut dyn Machine, depth: usize) -> String {
        let Children::Elements { count, .. } = children else {
            return String::new();
        };
        if depth >= SUMMARY_DEPTH {
            return if *count == 0 { "[]".into() } else { "[…]".into() };
        }
        let shown = (*count).min(SUMMARY_ITEMS as u64);
        let mut parts: Vec<String> = (0..shown)
            .map(|index| self.element(children, index, machine, depth + 1).value)
            .collect();
        if *count > shown {
            parts.push("…".into());
        }
        format!("[{}]", parts.join(", "))
    }

    /// Where element `index` of an element list is and its type, with the row's own elements
    /// when it is a row of a multi-dimensional array. `None` past the end.
    pub fn locate(&self, children: &Children, index: u64) -> Option<(Place, TypeId, Option<Children>)> {
        let Children::Elements {
            place,
            element,
            stride,
            count,
            inner,
        } = children
        else {
            return None;
        };
        if index >= *count {
            return None;
        }
        let at = sub_place(place, index.saturating_mul(*stride), Some(*stride));
        let row = inner.split_first().map(|(&first, rest)| {
            let element_size = self.types.read(*element).and_then(|t| t.size).unwrap_or(0);
            Children::Elements {
                place: at.clone(),
                element: *element,
                stride: element_size.saturating_mul(rest.iter().fold(1u64, |n, c| n.saturating_mul(c.unwrap_or(0)))),
                count: first.unwrap_or(0),
                inner: rest.to_vec(),
            }
        });
        Some((at, *element, row))
    }

    /// Element `index` of an element list.
    pub fn element(&self, children: &Children, index: u64, machine: &mut dyn Machine, depth: usize) -> Rendered {
        let Some((at, element, row)) = self.locate(children, index) else {
            return self.render(None, &Place::Unavailable, machine);
        };
        let Some(row @ Children::Elements { count, inner, .. }) = &row else {
            return self.render_depth(Some(element), &at, machine, depth);
        };
        let element_name = self.types.read(element).map_or("?".into(), |t| t.name);
        let dims: String = std::iter::once(Some(*count))
            .chain(inner.iter().copied())
            .map(|c| format!("[{}]", c.unwrap_or(0)))
            .collect();
        Rendered {
            value: self.elements_summary(row, machine, depth),
            ty: format!("{element_name}{dims}"),
            memory_reference: match at {
                Place::Memory(address) => Some(address),
                _ => None,
            },
            children: Some(row.clone()),
        }
    }

    /// Where the child `name` of `children` is, and its type (setVariable, field access).
    pub fn child(&self, children: &Children, name: &str, machine: &mut dyn Machine) -> Option<(Place, TypeId)> {
        self.child_nested(children, name, machine, 0)
    }

    fn child_nested(
        &self,
        children: &Children,
        name: &str,
        machine: &mut dyn Machine,
        nesting: usize,
    ) -> Option<(Place, TypeId)> {
        match children {
            Children::Pointee { address, ty } => (name == "*").then_some((Place::Memory(*address), *ty)),
            Children::Entries(collection) => {
                let position = name
                    .strip_prefix('[')
                    .and_then(|n| n.strip_suffix(']'))
                    .and_then(|n| n.parse::<u64>().ok());
                let entry = match position {
                    Some(index) if collection.is_positional() => {
                        self.entries(collection, index..index.saturating_add(1), machine).pop()
                    }
                    _ => self.entry_by_key(collection, name, MAX_KEY_SEARCH, machine),
                }?;
                Some(entry.value)
            }
            Children::Elements { .. } => {
                let index: u64 = name.strip_prefix('[')?.strip_suffix(']')?.parse().ok()?;
                match self.locate(children, index)? {
                    (place, element, None) => Some((place, element)),
                    (_, _, Some(_)) => None, // a whole row is not one value
                }
            }
            Children::Fields { place, ty } => {
                let resolved = self.types.read(*ty)?;
                let Kind::Struct { members, variants, .. } = &resolved.kind else {
                    return None;
                };
                if let Some(part) = variants {
                    if nesting >= MAX_VARIANT_NESTING {
                        return None;
                    }
                    let (_, inner) = self.describe_variant(part, place, machine, SUMMARY_DEPTH).ok()?;
                    return self.child_nested(&inner?, name, machine, nesting + 1);
                }
                let member = members.iter().find(|m| m.name == name)?;
                Some((sub_place(place, member.offset, None), member.ty?))
            }
        }
    }

    /// The fields of an aggregate, rendered.
    pub fn fields(&self, place: &Place, ty: TypeId, machine: &mut dyn Machine) -> Vec<(String, Rendered)> {
        self.fields_nested(place, ty, machine, 0)
    }

    fn fields_nested(
        &self,
        place: &Place,
        ty: TypeId,
        machine: &mut dyn Machine,
        nesting: usize,
    ) -> Vec<(String, Rendered)> {
        let Some(resolved) = self.types.read(ty) else {
            return Vec::new();
        };
        match &resolved.kind {
            Kind::Struct { members, variants, .. } => {
                if let Some(part) = variants
                    && nesting < MAX_VARIANT_NESTING
                    && let Ok((
                        _,
                        Some(Children::Fields {
                            place: inner,
                            ty: inner_ty,
                        }),
                    )) = self.describe_variant(part, place, machine, SUMMARY_DEPTH)
                {
                    return self.fields_nested(&inner, inner_ty, machine, nesting + 1);
                }
                members
                    .iter()
                    .map(|member| {
                        let field = sub_place(place, member.offset, None);
                        (member.name.clone(), self.render(member.ty, &field, machine))
                    })
                    .collect()
            }
            _ => vec![("*".into(), self.render(Some(ty), place, machine))],
        }
    }
}
