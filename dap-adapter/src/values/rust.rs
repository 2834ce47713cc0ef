//! Rust values as Rust users expect to see them. Which std types to format, and what their
//! users expect, follows rustc's own debugger support (`src/etc/` in rust-lang/rust); the
//! layouts are read from the module's DWARF, never assumed: every member a formatter reads is
//! looked up by name first, and a layout that does not match is left to the plain struct.
//!
//! Strings, paths and C strings show as text; `Vec`, slices and `Box<[T]>` as elements; `Box`,
//! `Rc`, `Arc`, cells, `Pin`, `ManuallyDrop` and `Cow` show the value they hold, with its
//! fields directly under them; reference counts, borrow and lock states are said in front of
//! the value (`strong=2 weak=1 {a: 1}`, `borrow=mut …`, `locked …`). The collections whose
//! elements are not one run of memory are in [`super::rust_collections`].

use super::text::rust_quote_bytes;
use super::{
    Children, Described, LAYOUT_SEARCH_MEMBERS, MAX_STRING, MAX_VARIANT_NESTING, Renderer, SUMMARY_DEPTH,
    SUMMARY_ITEMS, read, scalar_size, signed, sub_place, unsigned,
};
use crate::dwarf::types::{Kind, Member, Type, TypeId, VariantPart};
use crate::dwarf::variables::{Machine, Place};

/// Whether a type name is a reference, and the last segment of its path before any generic
/// arguments: `alloc::vec::Vec<u8>` → `Vec`; `&std::path::Path` → `Path`, a reference;
/// `&[i32]` → `[]`; `(u8, &str)` → `()`.
pub(super) fn std_name(name: &str) -> (bool, &str) {
    let (reference, rest) = match name.strip_prefix("&mut ").or_else(|| name.strip_prefix('&')) {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    if rest.starts_with('[') {
        return (reference, "[]");
    }
    if rest.starts_with('(') {
        return (reference, "()");
    }
    let head = rest.split('<').next().unwrap_or(rest);
    (reference, head.rsplit("::").next().unwrap_or(head))
}

/// The member called `name`.
pub(super) fn member<'m>(members: &'m [Member], name: &str) -> Option<&'m Member> {
    members.iter().find(|m| m.name == name)
}

/// `prefix value`, or the value alone.
fn prefixed(prefix: Option<String>, value: String) -> String {
    match prefix {
        Some(prefix) => format!("{prefix} {value}"),
        None => value,
    }
}

impl Renderer<'_> {
    /// Formats a value of a Rust unit; `None` leaves it to the plain DWARF shape.
    pub(super) fn describe_rust(
        &self,
        id: TypeId,
        ty: &Type,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let (reference, base) = std_name(&ty.name);
        let members = match &ty.kind {
            // `Box<T>` of a sized `T` is a thin pointer: show what it owns.
            Kind::Pointer(Some(pointee)) if !reference && base == "Box" => {
                let bytes = read(place, scalar_size(ty), machine)?;
                let address = unsigned(&bytes);
                if address == 0 {
                    return None;
                }
                let owned = self.render_depth(Some(*pointee), &Place::Memory(address), machine, depth);
                return Some(Ok((owned.value, owned.children)));
            }
            Kind::Struct {
                members,
                variants: None,
                ..
            } => members,
            Kind::Struct {
                variants: Some(part), ..
            } if base == "Cow" => return self.cow(part, place, machine, depth),
            _ => return None,
        };
        match (reference, base) {
            (true, "str") => self.text(members, place, machine, false),
            (true, "OsStr" | "Path") => self.text(members, place, machine, false),
            (true, "CStr") => self.text(members, place, machine, true),
            (true, "[]") => self.slice(members, place, machine, None),
            (false, "String" | "OsString" | "PathBuf") => self.text(members, place, machine, false),
            (false, "CString") => self.text(members, place, machine, true),
            (false, "Vec") => self.slice(members, place, machine, self.types.template_type(id)),
            // `Box<str>` and `Box<[T]>` are fat pointers, like the references to them.
            (false, "Box") if ty.name.starts_with("Box<str") || ty.name.contains("::Box<str") => {
                self.text(members, place, machine, false)
            }
            (false, "Box") if ty.name.contains("Box<[") => self.slice(members, place, machine, None),
            (false, "Rc" | "Arc") => self.shared(members, place, machine, depth, false),
            (false, "Weak") => self.shared(members, place, machine, depth, true),
            (
                false,
                "Cell" | "UnsafeCell" | "SyncUnsafeCell" | "ManuallyDrop" | "MaybeDangling" | "Pin" | "Wrapping"
                | "Saturating",
            ) => self.transparent(members, place, machine, depth),
            (false, "RefCell") => self.ref_cell(members, place, machine, depth),
            (false, "Ref" | "RefMut") => self.borrow_guard(members, place, machine, depth),
            (false, "Mutex" | "RwLock") => self.lock(members, place, machine, depth),
            (false, name) if name.starts_with("NonZero") => {
                let (scalar, at) = self.innermost_scalar(id, place)?;
                let shown = self.render_depth(Some(scalar), &at, machine, depth + 1);
                Some(Ok((shown.value, None)))
            }
            (false, "Range" | "RangeInclusive" | "RangeFrom" | "RangeTo" | "RangeToInclusive") => {
                self.range(id, base, members, place, machine, depth)
            }
            (false, "Duration") => self.duration(members, place, machine),
            (false, "HashMap" | "HashSet" | "BTreeMap" | "BTreeSet" | "VecDeque") => {
                self.describe_collection(id, base, members, place, machine, depth)
            }
            (false, "()") if members.iter().all(|m| m.name.starts_with("__")) => {
                Some(Ok(self.tuple(id, members, place, machine, depth)))
            }
            _ => None,
        }
    }

    /// The data pointer and length of a string, slice or vector (searched through the layers
    /// of `Vec`, `RawVec`, `Unique`, `Box<[T]>` and fat pointers).
    fn pointer_and_length_of(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
    ) -> Option<(u64, Option<TypeId>, u64)> {
        let mut budget = LAYOUT_SEARCH_MEMBERS;
        let found @ (_, _, length) = self.pointer_and_length(members, place, machine, 0, &mut budget)?;
        (length != u64::MAX).then_some(found)
    }

    /// Text held as UTF-8 bytes (`&str`, `String`, `OsString`, `PathBuf`, `&Path`, `CString`,
    /// `&CStr`); `nul_terminated` drops the terminator C strings count in their length.
    fn text(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        nul_terminated: bool,
    ) -> Option<Described> {
        let (pointer, _, mut length) = self.pointer_and_length_of(members, place, machine)?;
        if nul_terminated {
            length = length.saturating_sub(1);
        }
        let shown = length.min(MAX_STRING as u64) as usize;
        let mut bytes = vec![0u8; shown];
        if !machine.read(pointer, &mut bytes) {
            return Some(Err("unreadable memory".into()));
        }
        let mut text = rust_quote_bytes(&bytes);
        if length > shown as u64 {
            text.push('…');
        }
        Some(Ok((text, None)))
    }

    /// `&[T]`, `Vec<T>`, `Box<[T]>`: elements. `element` overrides the pointer's pointee
    /// (`RawVec` keeps a `*u8`; the element type is `Vec`'s parameter).
    fn slice(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        element: Option<TypeId>,
    ) -> Option<Described> {
        let (pointer, pointee, length) = self.pointer_and_length_of(members, place, machine)?;
        let element = element.or(pointee)?;
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

    /// Finds the data pointer (first pointer field, searched depth first) and the `len` or
    /// `length` field of a std sequence layout. `budget` counts the members looked at: a
    /// struct of structs of itself would otherwise be searched exponentially.
    pub(super) fn pointer_and_length(
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
                (Kind::Struct { members: inner, .. }, _) if depth < 10 => {
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

    /// A wrapper of one value (`Cell`, `UnsafeCell`, `ManuallyDrop`, `Pin`, `Wrapping`): the
    /// value, as if there were no wrapper.
    fn transparent(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let [inner] = members else { return None };
        let shown = self.render_depth(inner.ty, &sub_place(place, inner.offset, None), machine, depth);
        Some(Ok((shown.value, shown.children)))
    }

    /// `Rc`, `Arc` and their `Weak`: the counts, then the shared value with its fields under
    /// the pointer. A `Weak` whose value was dropped says so, as does `Weak::new()`.
    fn shared(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
        weak: bool,
    ) -> Option<Described> {
        let (address, fields) = self.shared_allocation(members, place, machine)?;
        let value = member(&fields, "value").or_else(|| member(&fields, "data"))?;
        let (strong, weak_field) = (member(&fields, "strong")?, member(&fields, "weak")?);
        // `Weak::new()` points at no allocation: the address is all ones.
        if weak && (address == u64::from(u32::MAX) || address == u64::MAX) {
            return Some(Ok(("<no value: Weak::new()>".into(), None)));
        }
        let count = |field: &Member, machine: &mut dyn Machine| {
            self.innermost_number(field.ty, &Place::Memory(address.saturating_add(field.offset)), machine)
        };
        let (Some(strong), Some(weak_count)) = (count(strong, machine), count(weak_field, machine)) else {
            return Some(Err("unreadable memory".into()));
        };
        // While strong references exist, they hold one weak reference between them.
        let weak_count = if strong > 0 {
            weak_count.saturating_sub(1)
        } else {
            weak_count
        };
        if strong == 0 {
            return Some(Ok((format!("<dropped> weak={weak_count}"), None)));
        }
        let shown = self.render_depth(
            value.ty,
            &Place::Memory(address.saturating_add(value.offset)),
            machine,
            depth,
        );
        Some(Ok((
            format!("strong={strong} weak={weak_count} {}", shown.value),
            shown.children,
        )))
    }

    /// Where an `Rc`/`Arc`/`Weak` points (its `RcInner`/`ArcInner`) and that allocation's members.
    fn shared_allocation(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
    ) -> Option<(u64, Vec<Member>)> {
        let mut budget = LAYOUT_SEARCH_MEMBERS;
        let (address, inner, _) = self.pointer_and_length(members, place, machine, 0, &mut budget)?;
        let Kind::Struct { members: fields, .. } = self.types.read(inner?)?.kind else {
            return None;
        };
        Some((address, fields))
    }

    /// The signed number at the bottom of a wrapper (`Cell<isize>`).
    fn innermost_signed(&self, ty: Option<TypeId>, place: &Place, machine: &mut dyn Machine) -> Option<i64> {
        let (scalar, at) = self.innermost_scalar(ty?, place)?;
        let size = scalar_size(&self.types.read(scalar)?);
        read(&at, size, machine).map(|bytes| signed(&bytes))
    }

    /// Where a pointer member (possibly wrapped: `NonNull<T>`, `&Cell`) points, and at what.
    fn pointer_target(&self, field: &Member, place: &Place, machine: &mut dyn Machine) -> Option<(u64, TypeId)> {
        let (pointer, at) = self.innermost_scalar(field.ty?, &sub_place(place, field.offset, None))?;
        let resolved = self.types.read(pointer)?;
        let Kind::Pointer(Some(pointee)) = resolved.kind else {
            return None;
        };
        let address = unsigned(&read(&at, scalar_size(&resolved), machine)?);
        Some((address, pointee))
    }

    /// `RefCell<T>`: the value, after its borrow state when it is borrowed.
    fn ref_cell(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let (borrow, value) = (member(members, "borrow")?, member(members, "value")?);
        let flag = self.innermost_signed(borrow.ty, &sub_place(place, borrow.offset, None), machine)?;
        let shown = self.render_depth(value.ty, &sub_place(place, value.offset, None), machine, depth);
        Some(Ok((prefixed(borrow_state(flag), shown.value), shown.children)))
    }

    /// `Ref<T>` and `RefMut<T>`: the borrowed value, after the cell's borrow state.
    fn borrow_guard(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let (value, borrow) = (member(members, "value")?, member(members, "borrow")?);
        let (address, pointee) = self.pointer_target(value, place, machine)?;
        // `BorrowRef { borrow: &Cell<isize> }`: the flag lives in the cell.
        let guard = self.types.read(borrow.ty?)?;
        let Kind::Struct {
            members: guard_members, ..
        } = &guard.kind
        else {
            return None;
        };
        let flag_pointer = member(guard_members, "borrow")?;
        let (flag_address, flag_type) =
            self.pointer_target(flag_pointer, &sub_place(place, borrow.offset, None), machine)?;
        let flag = self.innermost_signed(Some(flag_type), &Place::Memory(flag_address), machine)?;
        let shown = self.render_depth(Some(pointee), &Place::Memory(address), machine, depth);
        Some(Ok((prefixed(borrow_state(flag), shown.value), shown.children)))
    }

    /// `Mutex<T>` and `RwLock<T>`: the value, after `locked` and `poisoned` when they are.
    fn lock(&self, members: &[Member], place: &Place, machine: &mut dyn Machine, depth: usize) -> Option<Described> {
        let (inner, data) = (member(members, "inner")?, member(members, "data")?);
        let state = self.innermost_signed(inner.ty, &sub_place(place, inner.offset, None), machine)?;
        let poisoned = member(members, "poison")
            .and_then(|p| self.innermost_number(p.ty, &sub_place(place, p.offset, None), machine))
            .is_some_and(|failed| failed != 0);
        let shown = self.render_depth(data.ty, &sub_place(place, data.offset, None), machine, depth);
        let mut states = Vec::new();
        if state != 0 {
            states.push("locked");
        }
        if poisoned {
            states.push("poisoned");
        }
        let prefix = (!states.is_empty()).then(|| states.join(" "));
        Some(Ok((prefixed(prefix, shown.value), shown.children)))
    }

    /// `1..10`, `1..=5`, `3..`, `..4`, `..=4`, as `{:?}` writes them.
    fn range(
        &self,
        id: TypeId,
        kind: &str,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let bound = |name: &str, machine: &mut dyn Machine| -> Option<String> {
            let field = member(members, name)?;
            Some(
                self.render_depth(field.ty, &sub_place(place, field.offset, None), machine, depth + 1)
                    .value,
            )
        };
        let text = match kind {
            "Range" => format!("{}..{}", bound("start", machine)?, bound("end", machine)?),
            "RangeInclusive" => {
                let exhausted = member(members, "exhausted")
                    .and_then(|e| self.innermost_number(e.ty, &sub_place(place, e.offset, None), machine))
                    .is_some_and(|e| e != 0);
                let text = format!("{}..={}", bound("start", machine)?, bound("end", machine)?);
                if exhausted { format!("{text} (exhausted)") } else { text }
            }
            "RangeFrom" => format!("{}..", bound("start", machine)?),
            "RangeTo" => format!("..{}", bound("end", machine)?),
            _ => format!("..={}", bound("end", machine)?),
        };
        Some(Ok((
            text,
            Some(Children::Fields {
                place: place.clone(),
                ty: id,
            }),
        )))
    }

    /// `Duration` as `{:?}` writes it: `1.5s`, `250µs`.
    fn duration(&self, members: &[Member], place: &Place, machine: &mut dyn Machine) -> Option<Described> {
        let (secs, nanos) = (member(members, "secs")?, member(members, "nanos")?);
        let secs = self.innermost_number(secs.ty, &sub_place(place, secs.offset, None), machine)?;
        let nanos = self.innermost_number(nanos.ty, &sub_place(place, nanos.offset, None), machine)?;
        Some(Ok((duration_text(secs, nanos), None)))
    }

    /// `Cow`: the borrowed or owned value, whichever it holds, as `{:?}` shows it.
    fn cow(&self, part: &VariantPart, place: &Place, machine: &mut dyn Machine, depth: usize) -> Option<Described> {
        let (variant, field) = self.active_variant(part, place, machine).ok()?;
        let Kind::Struct { members, .. } = self.types.read(variant.ty?)?.kind else {
            return None;
        };
        self.transparent(&members, &field, machine, depth)
    }

    /// A tuple: `(1, "two")`. As many items as a struct's summary: every item of a tuple of
    /// tuples of ... is a render of its own.
    fn tuple(
        &self,
        id: TypeId,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> (String, Option<Children>) {
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
        (format!("({})", parts.join(", ")), Some(children))
    }

    /// The variant a Rust enum at `place` holds (its member) and where that variant's fields are.
    pub(super) fn active_variant<'p>(
        &self,
        part: &'p VariantPart,
        place: &Place,
        machine: &mut dyn Machine,
    ) -> Result<(&'p Member, Place), String> {
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
        Ok((member, sub_place(place, member.offset, None)))
    }

    /// A Rust enum: `Some(5)`, `Circle {radius: 1.5}`, `Empty`; expanding shows the fields
    /// of the variant it holds.
    pub(super) fn describe_variant(
        &self,
        part: &VariantPart,
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Described {
        let (member, field) = self.active_variant(part, place, machine)?;
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

    /// Where a smart pointer or wrapper's value is: what `*` and auto-deref (`rc.field`) go
    /// through. `None` for anything else.
    pub fn smart_target(&self, ty: TypeId, place: &Place, machine: &mut dyn Machine) -> Option<(Place, TypeId)> {
        self.smart_target_nested(ty, place, machine, 0)
    }

    fn smart_target_nested(
        &self,
        ty: TypeId,
        place: &Place,
        machine: &mut dyn Machine,
        nesting: usize,
    ) -> Option<(Place, TypeId)> {
        if nesting > MAX_VARIANT_NESTING {
            return None;
        }
        let resolved = self.types.read(ty)?;
        let (reference, base) = std_name(&resolved.name);
        if reference {
            return None;
        }
        let Kind::Struct {
            members,
            variants: None,
            ..
        } = &resolved.kind
        else {
            return None;
        };
        match base {
            "Rc" | "Arc" => {
                let (address, fields) = self.shared_allocation(members, place, machine)?;
                let value = member(&fields, "value").or_else(|| member(&fields, "data"))?;
                Some((Place::Memory(address.saturating_add(value.offset)), value.ty?))
            }
            "Cell" | "UnsafeCell" | "ManuallyDrop" | "MaybeDangling" | "Pin" | "RefCell" | "Mutex" | "RwLock" => {
                let inner = match base {
                    "RefCell" => member(members, "value")?,
                    "Mutex" | "RwLock" => member(members, "data")?,
                    _ => members.first().filter(|_| members.len() == 1)?,
                };
                let at = sub_place(place, inner.offset, None);
                let inner_ty = inner.ty?;
                // A wrapper's value is often a wrapper again (`RefCell` → `UnsafeCell` → T).
                Some(
                    self.smart_target_nested(inner_ty, &at, machine, nesting + 1)
                        .filter(|_| base != "Pin")
                        .unwrap_or((at, inner_ty)),
                )
            }
            "Ref" | "RefMut" => {
                let (address, pointee) = self.pointer_target(member(members, "value")?, place, machine)?;
                Some((Place::Memory(address), pointee))
            }
            _ => None,
        }
    }
}

/// How a `RefCell`'s borrow flag reads: nothing when free.
fn borrow_state(flag: i64) -> Option<String> {
    match flag {
        0 => None,
        n if n > 0 => Some(format!("borrow={n}")),
        _ => Some("borrow=mut".into()),
    }
}

/// `Duration`'s `{:?}`: the largest unit with a non-zero whole part, and the fraction without
/// trailing zeros.
fn duration_text(secs: u64, nanos: u64) -> String {
    let (whole, fraction, digits, unit) = if secs > 0 {
        (secs, nanos, 9, "s")
    } else if nanos >= 1_000_000 {
        (nanos / 1_000_000, nanos % 1_000_000, 6, "ms")
    } else if nanos >= 1_000 {
        (nanos / 1_000, nanos % 1_000, 3, "µs")
    } else {
        (nanos, 0, 0, "ns")
    };
    let fraction = format!("{fraction:0digits$}");
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{whole}{unit}")
    } else {
        format!("{whole}.{fraction}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_names_are_read_without_their_paths() {
        assert_eq!(std_name("alloc::vec::Vec<u8>"), (false, "Vec"));
        assert_eq!(std_name("Vec<alloc::string::String>"), (false, "Vec"));
        assert_eq!(std_name("&std::path::Path"), (true, "Path"));
        assert_eq!(std_name("&mut [i32]"), (true, "[]"));
        assert_eq!(std_name("(u8, &str)"), (false, "()"));
        assert_eq!(std_name("&str"), (true, "str"));
        assert_eq!(
            std_name("HashMap<i32, alloc::string::String, std::hash::random::RandomState>"),
            (false, "HashMap")
        );
    }

    #[test]
    fn durations_read_as_debug_writes_them() {
        assert_eq!(duration_text(1, 500_000_000), "1.5s");
        assert_eq!(duration_text(0, 250_000), "250µs");
        assert_eq!(duration_text(0, 1_500_000), "1.5ms");
        assert_eq!(duration_text(2, 1), "2.000000001s");
        assert_eq!(duration_text(0, 7), "7ns");
        assert_eq!(duration_text(0, 0), "0ns");
        assert_eq!(duration_text(3, 0), "3s");
    }

    #[test]
    fn borrow_flags() {
        assert_eq!(borrow_state(0), None);
        assert_eq!(borrow_state(2).as_deref(), Some("borrow=2"));
        assert_eq!(borrow_state(-1).as_deref(), Some("borrow=mut"));
    }
}
