//! Values as a debugger shows them: a one-line summary (`{x: 1, y: 2}`, `"text"`, `Some(5)`,
//! `[1, 2, 3, …]`) and, for aggregates, children to expand. Reads go through [`Machine`], so
//! a value can live in linear memory or in a wasm local; a value that cannot be read says so.

use crate::dwarf::types::{Encoding, Kind, Member, Type, TypeId, TypeReader, VariantPart};
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

fn quote(text: &str) -> String {
    format!("{text:?}")
}

impl Renderer<'_> {
    /// Renders the value of type `ty` at `place`.
    pub fn render(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine) -> Rendered {
        self.render_depth(ty, place, machine, 0)
    }

    fn render_depth(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine, depth: usize) -> Rendered {
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

    fn describe(
        &self,
        id: TypeId,
        ty: &Type,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Result<(String, Option<Children>), String> {
        let unreadable = || "unreadable memory".to_string();
        match &ty.kind {
            Kind::Base(encoding) => {
                let bytes = read(place, scalar_size(ty), machine).ok_or_else(unreadable)?;
                Ok((base(*encoding, &bytes), None))
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
                        if let Some(string) = c_string(address, machine) {
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
                    return Ok((c_quote(&bytes[..end]), Some(children)));
                }
                Ok((self.elements_summary(&children, machine, depth), Some(children)))
            }
            Kind::Struct {
                union,
                members,
                variants,
            } => self.describe_struct(id, ty, *union, members, variants.as_ref(), place, machine, depth),
            Kind::Function => Ok(("<function>".into(), None)),
            Kind::Other => Ok((format!("<{}>", ty.name), None)),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn describe_struct(
        &self,
        id: TypeId,
        ty: &Type,
        union: bool,
        members: &[Member],
        variants: Option<&VariantPart>,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Result<(String, Option<Children>), String> {
        if let Some(part) = variants {
            return self.describe_variant(part, place, machine, depth);
        }
        if let Some(sequence) = self.sequence(id, ty, members, place, machine) {
            return sequence;
        }
        if let Some(shared) = self.shared_pointer(ty, members, place, machine, depth) {
            return shared;
        }
        if ty.name.starts_with('(') && members.iter().all(|m| m.name.starts_with("__")) {
            // A Rust tuple: `(1, "two")`. As many items as a struct's summary: every item of
            // a tuple of tuples of ... is a render of its own.
            let mut parts: Vec<String> = members
                .iter()
                .take(SUMMARY_ITEMS)
                .map(|m| {
                    if depth < SUMMARY_DEPTH {
                        self.render_depth(m.ty, &sub_place(place, m.offset, None), machine, depth + 1)
                            .value
                    } else {
                        "…".into()
                    }
                })
                .collect();
            if members.len() > SUMMARY_ITEMS {
                parts.push("…".into());
            }
            let children = Children::Fields {
                place: place.clone(),
                ty: id,
            };
            return Ok((format!("({})", parts.join(", ")), Some(children)));
        }
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
        Ok((if union { format!("union {summary}") } else { summary }, children))
    }

    /// `&str`, `&[T]`, `String` and `Vec<T>`: a pointer and a length somewhere in the layout.
    fn sequence(
        &self,
        id: TypeId,
        ty: &Type,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
    ) -> Option<Result<(String, Option<Children>), String>> {
        let name = ty.name.as_str();
        let is_str = name == "&str" || name == "&mut str";
        let is_slice = name.starts_with("&[") || name.starts_with("&mut [");
        let is_string = name == "String" || name == "alloc::string::String";
        let is_vec = name.starts_with("Vec<") || name.starts_with("alloc::vec::Vec<");
        if !(is_str || is_slice || is_string || is_vec) {
            return None;
        }
        let mut budget = LAYOUT_SEARCH_MEMBERS;
        let (pointer, element, length) = self.pointer_and_length(members, place, machine, 0, &mut budget)?;
        if is_str || is_string {
            let shown = length.min(MAX_STRING as u64) as usize;
            let mut bytes = vec![0u8; shown];
            if !machine.read(pointer, &mut bytes) {
                return Some(Err("unreadable memory".into()));
            }
            let mut text = quote(&String::from_utf8_lossy(&bytes));
            if length > shown as u64 {
                text.push('…');
            }
            return Some(Ok((text, None)));
        }
        // RawVec keeps a `*u8`: the element type is Vec's parameter.
        let element = if is_vec {
            self.types.template_type(id).or(element)?
        } else {
            element?
        };
        let stride = self.types.read(element)?.size.unwrap_or(0);
        let children = Children::Elements {
            place: Place::Memory(pointer),
            element,
            stride,
            count: length,
            inner: Vec::new(),
        };
        let summary = format!("len={length} {}", self.elements_summary(&children, machine, 1));
        Some(Ok((summary, Some(children))))
    }

    /// `Rc<T>` and `Arc<T>`: the value they share, and their counts when expanded.
    fn shared_pointer(
        &self,
        ty: &Type,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Result<(String, Option<Children>), String>> {
        let name = ty.name.as_str();
        let shared = ["Rc<", "Arc<", "alloc::rc::Rc<", "alloc::sync::Arc<"]
            .iter()
            .any(|prefix| name.starts_with(prefix));
        if !shared {
            return None;
        }
        let mut budget = LAYOUT_SEARCH_MEMBERS;
        let (address, inner, _) = self.pointer_and_length(members, place, machine, 0, &mut budget)?;
        let inner = inner?;
        let Kind::Struct { members: fields, .. } = self.types.read(inner)?.kind else {
            return None;
        };
        let value = fields.iter().find(|f| f.name == "value" || f.name == "data")?;
        let strong = fields.iter().find(|f| f.name == "strong");
        let count = strong
            .and_then(|s| self.innermost_number(s.ty, address.saturating_add(s.offset), machine))
            .map_or_else(String::new, |n| format!("strong={n} "));
        let shown = self.render_depth(
            value.ty,
            &Place::Memory(address.saturating_add(value.offset)),
            machine,
            depth + 1,
        );
        Some(Ok((
            format!("{count}{}", shown.value),
            Some(Children::Pointee { address, ty: inner }),
        )))
    }

    /// The number a `Cell<usize>` or an atomic at `address` holds: its first member's first
    /// member's ... base value. A few levels only (it was a render at depth 0, which recursed
    /// forever when the count's type was an `Rc` again).
    fn innermost_number(&self, ty: Option<TypeId>, address: u64, machine: &mut dyn Machine) -> Option<u64> {
        let (mut ty, mut address) = (ty?, address);
        for _ in 0..MAX_VARIANT_NESTING {
            let resolved = self.types.read(ty)?;
            match &resolved.kind {
                Kind::Base(_) => {
                    let bytes = read(&Place::Memory(address), scalar_size(&resolved), machine)?;
                    return Some(unsigned(&bytes));
                }
                Kind::Struct { members, .. } => {
                    let first = members.first()?;
                    (ty, address) = (first.ty?, address.saturating_add(first.offset));
                }
                _ => return None,
            }
        }
        None
    }

    /// Finds the data pointer (first pointer field, searched depth first) and the `len` or
    /// `length` field of a std sequence layout. `budget` counts the members looked at: a
    /// struct of structs of itself would otherwise be searched exponentially.
    fn pointer_and_length(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
        budget: &mut usize,
    ) -> Option<(u64, Option<TypeId>, u64)> {
        let mut pointer = None;
        let mut length = None;
        for member in members {
            *budget = budget.checked_sub(1)?;
            let field = sub_place(place, member.offset, None);
            let ty = member.ty.and_then(|t| self.types.read(t))?;
            match (&ty.kind, member.name.as_str()) {
                (Kind::Base(_), "len" | "length") => {
                    length = read(&field, scalar_size(&ty), machine).map(|b| unsigned(&b));
                }
                (Kind::Pointer(pointee), _) if pointer.is_none() => {
                    let address = read(&field, 4, machine).map(|b| unsigned(&b))?;
                    pointer = Some((address, *pointee));
                }
                (Kind::Struct { members: inner, .. }, _) if depth < 6 => {
                    if let Some((address, element, inner_length)) =
                        self.pointer_and_length(inner, &field, machine, depth + 1, budget)
                    {
                        if pointer.is_none() {
                            pointer = Some((address, element));
                        }
                        if inner_length != u64::MAX && length.is_none() {
                            length = Some(inner_length);
                        }
                    }
                }
                _ => {}
            }
        }
        let (address, element) = pointer?;
        Some((address, element, length.unwrap_or(u64::MAX)))
    }

    fn describe_variant(
        &self,
        part: &VariantPart,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Result<(String, Option<Children>), String> {
        let discriminant = match &part.discriminant {
            Some(member) => {
                let ty = member
                    .ty
                    .and_then(|t| self.types.read(t))
                    .ok_or("unknown discriminant type")?;
                let field = sub_place(place, member.offset, None);
                let bytes = read(&field, scalar_size(&ty), machine).ok_or("unreadable memory")?;
                Some(unsigned(&bytes))
            }
            None => None,
        };
        let variant = part
            .variants
            .iter()
            .find(|v| v.discriminant.is_some() && v.discriminant == discriminant)
            .or_else(|| part.variants.iter().find(|v| v.discriminant.is_none()))
            .or_else(|| part.variants.first().filter(|_| part.variants.len() == 1))
            .ok_or_else(|| format!("no variant for discriminant {}", discriminant.unwrap_or_default()))?;
        let member = &variant.member;
        let field = sub_place(place, member.offset, None);
        let variant_type = member
            .ty
            .and_then(|t| self.types.read(t))
            .ok_or("unknown variant type")?;
        let Kind::Struct { members: fields, .. } = &variant_type.kind else {
            return Ok((member.name.clone(), None));
        };
        if fields.is_empty() {
            return Ok((member.name.clone(), None));
        }
        let mut parts = Vec::new();
        let tuple = fields.iter().all(|f| f.name.starts_with("__"));
        if depth < SUMMARY_DEPTH {
            for inner in fields.iter().take(SUMMARY_ITEMS) {
                let rendered = self.render_depth(inner.ty, &sub_place(&field, inner.offset, None), machine, depth + 1);
                parts.push(if tuple {
                    rendered.value
                } else {
                    format!("{}: {}", inner.name, rendered.value)
                });
            }
        } else {
            parts.push("…".into());
        }
        let summary = if tuple {
            format!("{}({})", member.name, parts.join(", "))
        } else {
            format!("{} {{{}}}", member.name, parts.join(", "))
        };
        let children = member.ty.map(|ty| Children::Fields { place: field, ty });
        Ok((summary, children))
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

fn base(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Boolean => (bytes.first().copied().unwrap_or(0) != 0).to_string(),
        Encoding::Signed => signed(bytes).to_string(),
        Encoding::Unsigned => unsigned(bytes).to_string(),
        Encoding::Char => {
            let byte = bytes.first().copied().unwrap_or(0);
            let shown = match byte {
                0x20..=0x7e => format!("'{}'", byte as char),
                _ => format!("'\\x{byte:02x}'"),
            };
            format!("{} {shown}", byte as i8)
        }
        Encoding::UnicodeChar => match u32::try_from(unsigned(bytes)).ok().and_then(char::from_u32) {
            Some(c) => format!("{c:?}"),
            None => format!("<invalid char {:#x}>", unsigned(bytes)),
        },
        Encoding::Float if bytes.len() == 4 => f32::from_le_bytes(bytes.try_into().unwrap_or_default()).to_string(),
        Encoding::Float => f64::from_le_bytes(bytes[..8.min(bytes.len())].try_into().unwrap_or_default()).to_string(),
    }
}

/// C string literal syntax: printable ASCII as is, the rest escaped (`"a\x01"`).
fn c_quote(bytes: &[u8]) -> String {
    let mut text = String::from("\"");
    for &byte in bytes {
        match byte {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            0x20..=0x7e => text.push(byte as char),
            _ => text.push_str(&format!("\\x{byte:02x}")),
        }
    }
    text.push('"');
    text
}

/// The NUL-terminated string at `address`, quoted; `None` when unreadable.
fn c_string(address: u64, machine: &mut dyn Machine) -> Option<String> {
    let mut text = Vec::new();
    for offset in 0..MAX_STRING as u64 {
        let mut byte = [0u8; 1];
        let readable = address
            .checked_add(offset)
            .is_some_and(|at| machine.read(at, &mut byte));
        if !readable {
            return (offset > 0).then(|| format!("{}…", c_quote(&text)));
        }
        if byte[0] == 0 {
            return Some(c_quote(&text));
        }
        text.push(byte[0]);
    }
    Some(format!("{}…", c_quote(&text)))
}
