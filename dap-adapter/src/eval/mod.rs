//! Evaluating expressions in a stopped frame: `evaluate` (hover, watch, repl, clipboard),
//! breakpoint conditions and logpoint messages all go through here, on the debuggee's thread.

pub mod parse;

use crate::dwarf::types::{Encoding, Kind, Type, TypeId};
use crate::dwarf::variables::{Machine, Place, Variable, VariableIndex};
use crate::values::{Children, Radix, Rendered, Renderer};
pub use parse::{BinaryOp, Expr, Raw, Scalar, parse};

/// A stopped frame as expressions see it: DWARF locations plus raw wasm values.
pub trait Frame: Machine {
    /// A raw wasm local, global or operand stack slot.
    fn raw(&mut self, raw: Raw) -> Option<Value>;
}

/// The result of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An integer, wrapped to `scalar`'s width.
    Int(i128, Scalar),
    /// A float.
    Float(f64, Scalar),
    /// A truth value.
    Bool(bool),
    /// An address, with what it points at when known.
    Pointer(u64, Option<TypeId>),
    /// A value of a DWARF type somewhere (memory, a wasm local, pieces).
    Typed(Place, TypeId),
}

/// Where names are looked up.
pub struct Scope<'a> {
    /// Variables and types, when the module has DWARF.
    pub index: Option<&'a VariableIndex>,
    /// DWARF address of the frame.
    pub address: Option<u64>,
    /// Inlined frame within the physical one.
    pub inline_depth: usize,
}

fn wrap(value: i128, scalar: Scalar) -> i128 {
    match scalar {
        Scalar::Signed(bytes) => {
            let bits = u32::from(bytes) * 8;
            let shift = 128 - bits;
            (value << shift) >> shift
        }
        Scalar::Unsigned(bytes) => value & ((1i128 << (u32::from(bytes) * 8)) - 1),
        Scalar::Bool => i128::from(value != 0),
        Scalar::F32 | Scalar::F64 => value,
    }
}

fn read(place: &Place, size: usize, machine: &mut dyn Machine) -> Result<Vec<u8>, String> {
    match place {
        Place::Memory(address) => {
            let mut buffer = vec![0; size];
            if machine.read(*address, &mut buffer) {
                Ok(buffer)
            } else {
                Err(format!("address {address:#x} is outside linear memory"))
            }
        }
        Place::Bytes(bytes) if bytes.len() >= size => Ok(bytes[..size].to_vec()),
        Place::Bytes(_) | Place::Unavailable => Err("the value is optimized out here".into()),
    }
}

/// Evaluates expressions in one frame.
pub struct Evaluator<'a, 'f> {
    scope: Scope<'a>,
    frame: &'f mut dyn Frame,
    /// The frame's variables, looked up once however many names an expression (or a
    /// breakpoint's condition and log message) uses.
    declared: Option<Vec<Variable>>,
    /// How results' integers are written (map keys are always compared in decimal).
    radix: Radix,
}

impl<'a, 'f> Evaluator<'a, 'f> {
    /// An evaluator over `frame`.
    pub fn new(scope: Scope<'a>, frame: &'f mut dyn Frame) -> Self {
        Evaluator {
            scope,
            frame,
            declared: None,
            radix: Radix::Decimal,
        }
    }

    /// The same evaluator rendering results' integers in `radix` (DAP `format.hex`).
    pub fn with_radix(self, radix: Radix) -> Self {
        Evaluator { radix, ..self }
    }

    fn renderer(&self) -> Option<Renderer<'a>> {
        self.decimal_renderer().map(|renderer| renderer.with_radix(self.radix))
    }

    fn decimal_renderer(&self) -> Option<Renderer<'a>> {
        self.scope.index.map(|index| Renderer::new(index.types()))
    }

    /// Evaluates `expr`.
    pub fn eval(&mut self, expr: &Expr) -> Result<Value, String> {
        match expr {
            // Literals take the smallest of i32, i64 and u64 that holds them, as in C.
            Expr::Int(v) => {
                let scalar = if i32::try_from(*v).is_ok() {
                    Scalar::Signed(4)
                } else if i64::try_from(*v).is_ok() {
                    Scalar::Signed(8)
                } else if u64::try_from(*v).is_ok() {
                    Scalar::Unsigned(8)
                } else {
                    return Err(format!("{v} does not fit in 64 bits"));
                };
                Ok(Value::Int(*v, scalar))
            }
            Expr::Float(v) => Ok(Value::Float(*v, Scalar::F64)),
            Expr::Bool(v) => Ok(Value::Bool(*v)),
            Expr::Str(_) => Err("a string is only a map key here, as in `map[\"key\"]`".into()),
            Expr::Name(name) => self.variable(name),
            Expr::Raw(raw) => self
                .frame
                .raw(*raw)
                .ok_or_else(|| format!("{raw:?} does not exist in this frame")),
            Expr::Load(scalar, address) => {
                let address = self.address_of_value(address)?;
                let size = match scalar {
                    Scalar::Signed(n) | Scalar::Unsigned(n) => usize::from(*n),
                    Scalar::F32 => 4,
                    Scalar::F64 => 8,
                    Scalar::Bool => 1,
                };
                let bytes = read(&Place::Memory(address), size, self.frame)?;
                Ok(from_bytes(&bytes, *scalar))
            }
            Expr::Neg(inner) => match self.scalar(inner)? {
                Value::Int(v, s) => Ok(Value::Int(wrap(-v, s), s)),
                Value::Float(v, s) => Ok(Value::Float(-v, s)),
                other => Err(format!("cannot negate {}", describe(&other))),
            },
            Expr::Not(inner) => Ok(Value::Bool(!truth(&self.scalar(inner)?)?)),
            Expr::Deref(inner) => self.deref(inner),
            Expr::AddressOf(inner) => match self.eval(inner)? {
                Value::Typed(Place::Memory(address), ty) => Ok(Value::Pointer(address, Some(ty))),
                Value::Typed(..) => {
                    Err("the value is not in linear memory (a wasm local holds it): it has no address".into())
                }
                other => Err(format!("cannot take the address of {}", describe(&other))),
            },
            Expr::Cast(scalar, inner) => cast(self.scalar(inner)?, *scalar),
            Expr::Field(inner, name) => self.field(inner, name),
            Expr::Index(inner, index) => self.index(inner, index),
            Expr::Binary(op, left, right) => self.binary(*op, left, right),
        }
    }

    fn variable(&mut self, name: &str) -> Result<Value, String> {
        let (Some(index), Some(address)) = (self.scope.index, self.scope.address) else {
            return Err(format!("no variable `{name}`: the module has no DWARF (use $localN)"));
        };
        let depth = self.scope.inline_depth;
        let declared = self.declared.get_or_insert_with(|| index.variables_at(address, depth));
        // Locals shadow globals of the same name.
        let variable = declared
            .iter()
            .rev()
            .find(|v| v.name == name)
            .cloned()
            .or_else(|| index.globals_at(address).into_iter().find(|v| v.name == name))
            .ok_or_else(|| format!("no variable `{name}` in this frame"))?;
        let ty = variable.ty.ok_or_else(|| format!("`{name}` has no type information"))?;
        let place = index.place(&variable, address, self.frame)?;
        if place == Place::Unavailable {
            return Err(format!("`{name}` is optimized out here"));
        }
        Ok(Value::Typed(place, ty))
    }

    /// Evaluates `expr` to a number: typed base values, enums and pointers are read.
    pub fn scalar(&mut self, expr: &Expr) -> Result<Value, String> {
        let value = self.eval(expr)?;
        self.load(value)
    }

    fn load(&mut self, value: Value) -> Result<Value, String> {
        let Value::Typed(place, ty) = value else {
            return Ok(value);
        };
        let renderer = self.renderer().ok_or("no type information")?;
        let resolved = renderer.types.read(ty).ok_or("unknown type")?;
        let scalar = scalar_of(&resolved)
            .ok_or_else(|| format!("`{}` is not a number; use one of its fields", resolved.name))?;
        let bytes = read(&place, resolved.size.unwrap_or(4) as usize, self.frame)?;
        Ok(match (resolved.kind, from_bytes(&bytes, scalar)) {
            (Kind::Pointer(pointee), Value::Int(address, _)) => Value::Pointer(address as u64, pointee),
            (_, value) => value,
        })
    }

    fn address_of_value(&mut self, expr: &Expr) -> Result<u64, String> {
        match self.scalar(expr)? {
            Value::Int(v, _) => u64::try_from(v).map_err(|_| format!("{v} is not an address")),
            Value::Pointer(address, _) => Ok(address),
            other => Err(format!("{} is not an address", describe(&other))),
        }
    }

    /// What a pointer value points at.
    fn pointee(&mut self, value: Value) -> Result<Value, String> {
        match self.load(value)? {
            // Address 0 is readable in wasm, but a null pointer is still a bug worth saying.
            Value::Pointer(0, _) => Err("null pointer".into()),
            Value::Pointer(address, Some(pointee)) => Ok(Value::Typed(Place::Memory(address), pointee)),
            Value::Pointer(_, None) => Err("cannot dereference a `void *`: cast the address, e.g. $u32(p)".into()),
            Value::Int(..) => Err("cannot dereference an integer: read memory with $u8(…) … $f64(…)".into()),
            other => Err(format!("cannot dereference {}", describe(&other))),
        }
    }

    fn deref(&mut self, inner: &Expr) -> Result<Value, String> {
        let value = self.eval(inner)?;
        // Smart pointers and wrappers (`Rc`, `Arc`, `RefCell`, `Ref`): `*` is their value.
        if let Some(target) = self.smart_target(&value) {
            return Ok(target);
        }
        self.pointee(value)
    }

    /// The value a smart pointer or wrapper holds, if `value` is one.
    fn smart_target(&mut self, value: &Value) -> Option<Value> {
        if self.is_pointer(value) {
            return None;
        }
        let Value::Typed(place, ty) = value else {
            return None;
        };
        let (place, ty) = self.renderer()?.smart_target(*ty, place, self.frame)?;
        Some(Value::Typed(place, ty))
    }

    fn is_pointer(&self, value: &Value) -> bool {
        match value {
            Value::Pointer(..) => true,
            Value::Typed(_, ty) => self
                .renderer()
                .and_then(|r| r.types.read(*ty))
                .is_some_and(|t| matches!(t.kind, Kind::Pointer(_))),
            _ => false,
        }
    }

    fn field(&mut self, inner: &Expr, name: &str) -> Result<Value, String> {
        let mut value = self.eval(inner)?;
        let renderer = self.renderer().ok_or("no type information")?;
        let mut outermost = None;
        // References, pointers and smart pointers are followed, as Rust's auto-deref does
        // (`rc_box.a` through `Rc` and `Box`), until a type has the field.
        for _ in 0..8 {
            if self.is_pointer(&value) {
                value = self.pointee(value)?;
                continue;
            }
            let Value::Typed(place, ty) = &value else {
                return Err(format!("{} has no field `{name}`", describe(&value)));
            };
            outermost.get_or_insert(*ty);
            let fields = Children::Fields {
                place: place.clone(),
                ty: *ty,
            };
            if let Some((place, ty)) = renderer.child(&fields, name, self.frame) {
                return Ok(Value::Typed(place, ty));
            }
            match self.smart_target(&value) {
                Some(target) => value = target,
                None => break,
            }
        }
        let type_name = outermost
            .and_then(|ty| renderer.types.read(ty))
            .map_or_else(String::new, |t| t.name);
        Err(format!("`{type_name}` has no field `{name}`"))
    }

    fn index(&mut self, inner: &Expr, index: &Expr) -> Result<Value, String> {
        let value = self.eval(inner)?;
        if let Some(found) = self.map_lookup(&value, index)? {
            return Ok(found);
        }
        let position = match self.scalar(index)? {
            Value::Int(v, _) => u64::try_from(v).map_err(|_| format!("index {v} is negative"))?,
            other => return Err(format!("an index must be an integer, not {}", describe(&other))),
        };
        let renderer = self.renderer().ok_or("no type information")?;
        if self.is_pointer(&value) {
            // `p[i]` is the element `i` strides after `*p`.
            let Value::Typed(Place::Memory(address), pointee) = self.pointee(value)? else {
                return Err("the pointer does not point into memory".into());
            };
            let stride = renderer.types.read(pointee).and_then(|t| t.size).unwrap_or(1);
            let at = address.saturating_add(position.saturating_mul(stride));
            return Ok(Value::Typed(Place::Memory(at), pointee));
        }
        let Value::Typed(place, ty) = &value else {
            return Err(format!("{} cannot be indexed", describe(&value)));
        };
        // Arrays, slices, `Vec`: whatever renders as a list of elements.
        let Some(elements @ Children::Elements { count, .. }) = renderer.render(Some(*ty), place, self.frame).children
        else {
            let type_name = renderer.types.read(*ty).map_or_else(String::new, |t| t.name);
            return Err(format!("`{type_name}` cannot be indexed"));
        };
        match renderer.locate(&elements, position) {
            None => Err(format!("index {position} is out of bounds: the length is {count}")),
            Some((at, element, None)) => Ok(Value::Typed(at, element)),
            // A row of a multi-dimensional array has no DWARF type of its own: like C, it
            // decays to a pointer to its first element, so `grid[1][2]` indexes on.
            Some((Place::Memory(address), element, Some(_))) => Ok(Value::Pointer(address, Some(element))),
            Some(_) => Err("index every dimension at once: the array is not in memory".into()),
        }
    }

    /// `map["key"]` and `map[42]` on a `HashMap` or `BTreeMap`, and `deque[i]`/`set[i]` by
    /// position; `None` when `value` is not such a collection.
    fn map_lookup(&mut self, value: &Value, index: &Expr) -> Result<Option<Value>, String> {
        let Value::Typed(place, ty) = value else {
            return Ok(None);
        };
        // Keys are compared as decimal text, whatever radix results are shown in.
        let renderer = self.decimal_renderer().ok_or("no type information")?;
        let Some(Children::Entries(collection)) = renderer.render(Some(*ty), place, self.frame).children else {
            return Ok(None);
        };
        let key = match index {
            Expr::Str(text) => crate::values::rust_quote(text),
            _ => match self.scalar(index)? {
                Value::Int(v, _) if collection.is_map() => v.to_string(),
                Value::Int(v, _) => {
                    let position = u64::try_from(v).map_err(|_| format!("index {v} is negative"))?;
                    let entry = renderer
                        .entries(&collection, position..position.saturating_add(1), self.frame)
                        .pop()
                        .ok_or_else(|| {
                            format!("index {position} is out of bounds: the length is {}", collection.count)
                        })?;
                    return Ok(Some(Value::Typed(entry.value.0, entry.value.1)));
                }
                other => {
                    return Err(format!(
                        "a key must be a string or an integer, not {}",
                        describe(&other)
                    ));
                }
            },
        };
        if !collection.is_map() {
            return Err("index a set or a deque by position: `[0]`".into());
        }
        match renderer.entry_by_key(&collection, &key, crate::values::MAX_KEY_SEARCH, self.frame) {
            Some(entry) => Ok(Some(Value::Typed(entry.value.0, entry.value.1))),
            None => Err(format!("the map has no key {key}")),
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr) -> Result<Value, String> {
        if matches!(op, BinaryOp::And | BinaryOp::Or) {
            let left = truth(&self.scalar(left)?)?;
            // Short-circuit, as C and Rust do.
            if (op == BinaryOp::And && !left) || (op == BinaryOp::Or && left) {
                return Ok(Value::Bool(left));
            }
            return Ok(Value::Bool(truth(&self.scalar(right)?)?));
        }
        let (a, b) = (self.scalar(left)?, self.scalar(right)?);
        let renderer = self.renderer();
        arithmetic(op, a, b, |ty| {
            renderer
                .as_ref()
                .and_then(|r| r.types.read(ty))
                .and_then(|t| t.size)
                .unwrap_or(1)
        })
    }

    /// Renders a result for the client.
    pub fn render(&mut self, value: &Value) -> Rendered {
        match value {
            Value::Typed(place, ty) => match self.renderer() {
                Some(renderer) => renderer.render(Some(*ty), place, self.frame),
                None => plain("<no type information>", ""),
            },
            Value::Int(v, s) => {
                let bytes = match s {
                    Scalar::Signed(n) | Scalar::Unsigned(n) => usize::from(*n),
                    _ => 8,
                };
                plain(&self.radix.integer(*v, bytes), s.name())
            }
            Value::Float(v, s) => plain(&v.to_string(), s.name()),
            Value::Bool(v) => plain(&v.to_string(), "bool"),
            Value::Pointer(address, pointee) => {
                let name = pointee
                    .and_then(|p| self.renderer().and_then(|r| r.types.read(p)))
                    .map_or("void *".to_string(), |t| format!("{} *", t.name));
                let mut rendered = plain(&format!("{address:#010x}"), &name);
                if let Some(pointee) = pointee {
                    rendered.children = Some(Children::Pointee {
                        address: *address,
                        ty: *pointee,
                    });
                }
                rendered
            }
        }
    }
}

fn plain(value: &str, ty: &str) -> Rendered {
    Rendered {
        value: value.into(),
        ty: ty.into(),
        children: None,
        memory_reference: None,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Int(v, s) => format!("{v} ({})", s.name()),
        Value::Float(v, _) => v.to_string(),
        Value::Bool(v) => v.to_string(),
        Value::Pointer(a, _) => format!("pointer {a:#x}"),
        Value::Typed(..) => "a value".into(),
    }
}

/// The scalar a base type, enum or pointer reads as (pointers as unsigned addresses).
pub fn scalar_of(ty: &Type) -> Option<Scalar> {
    let size = ty.size.unwrap_or(4).min(8) as u8;
    Some(match ty.kind {
        Kind::Base(Encoding::Boolean) => Scalar::Bool,
        Kind::Base(Encoding::Float) if size == 4 => Scalar::F32,
        Kind::Base(Encoding::Float) => Scalar::F64,
        Kind::Base(Encoding::Signed | Encoding::Char) => Scalar::Signed(size),
        Kind::Base(Encoding::Unsigned | Encoding::UnicodeChar) | Kind::Pointer(_) => Scalar::Unsigned(size),
        Kind::Enum { signed: true, .. } => Scalar::Signed(size),
        Kind::Enum { signed: false, .. } => Scalar::Unsigned(size),
        _ => return None,
    })
}

/// The `size` little-endian bytes of a scalar value (cast it to the target scalar first).
pub fn to_bytes(value: &Value, size: usize) -> Vec<u8> {
    let mut bytes = match value {
        Value::Float(v, Scalar::F32) => (*v as f32).to_le_bytes().to_vec(),
        Value::Float(v, _) => v.to_le_bytes().to_vec(),
        Value::Bool(v) => vec![u8::from(*v)],
        Value::Int(v, _) => v.to_le_bytes().to_vec(),
        Value::Pointer(address, _) => address.to_le_bytes().to_vec(),
        Value::Typed(..) => Vec::new(),
    };
    bytes.resize(size, 0);
    bytes
}

fn from_bytes(bytes: &[u8], scalar: Scalar) -> Value {
    // Short input (a malformed type size) reads as zero-extended, never out of bounds.
    let mut wide = [0u8; 8];
    let n = bytes.len().min(8);
    wide[..n].copy_from_slice(&bytes[..n]);
    match scalar {
        Scalar::F32 => Value::Float(
            f64::from(f32::from_le_bytes([wide[0], wide[1], wide[2], wide[3]])),
            scalar,
        ),
        Scalar::F64 => Value::Float(f64::from_le_bytes(wide), scalar),
        Scalar::Bool => Value::Bool(bytes.iter().any(|b| *b != 0)),
        Scalar::Signed(_) => Value::Int(crate::values::le_integer(bytes, true), scalar),
        Scalar::Unsigned(_) => Value::Int(crate::values::le_integer(bytes, false), scalar),
    }
}

/// Whether a value counts as true in a condition.
pub fn truth(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(v) => Ok(*v),
        Value::Int(v, _) => Ok(*v != 0),
        Value::Float(v, _) => Ok(*v != 0.0),
        Value::Pointer(a, _) => Ok(*a != 0),
        Value::Typed(..) => Err("a condition must be a number, a pointer or a comparison".into()),
    }
}

/// Converts a number to `to`, as a C cast does.
pub fn cast(value: Value, to: Scalar) -> Result<Value, String> {
    let as_int = |v: i128| match to {
        Scalar::F32 | Scalar::F64 => Value::Float(v as f64, to),
        Scalar::Bool => Value::Bool(v != 0),
        _ => Value::Int(wrap(v, to), to),
    };
    Ok(match value {
        Value::Int(v, _) => as_int(v),
        Value::Pointer(a, _) => as_int(i128::from(a)),
        Value::Bool(v) => as_int(i128::from(v)),
        Value::Float(v, _) => match to {
            Scalar::F32 => Value::Float(f64::from(v as f32), to),
            Scalar::F64 => Value::Float(v, to),
            Scalar::Bool => Value::Bool(v != 0.0),
            _ => Value::Int(wrap(v as i128, to), to),
        },
        Value::Typed(..) => return Err("only numbers can be cast".into()),
    })
}

/// The wider of two integer types (C's usual conversions, simplified: unsigned wins a tie).
fn common(a: Scalar, b: Scalar) -> Scalar {
    let size = |s: Scalar| match s {
        Scalar::Signed(n) | Scalar::Unsigned(n) => n,
        _ => 4,
    };
    let bytes = size(a).max(size(b)).max(4);
    if matches!(a, Scalar::Unsigned(n) if n >= bytes) || matches!(b, Scalar::Unsigned(n) if n >= bytes) {
        Scalar::Unsigned(bytes)
    } else {
        Scalar::Signed(bytes)
    }
}

fn arithmetic(op: BinaryOp, a: Value, b: Value, size_of: impl Fn(TypeId) -> u64) -> Result<Value, String> {
    use BinaryOp::*;
    let number = |v: &Value| -> Option<f64> {
        match v {
            Value::Int(i, _) => Some(*i as f64),
            Value::Float(f, _) => Some(*f),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Pointer(p, _) => Some(*p as f64),
            Value::Typed(..) => None,
        }
    };
    let integer = |v: &Value| -> Option<(i128, Scalar)> {
        match v {
            Value::Int(i, s) => Some((*i, *s)),
            Value::Bool(b) => Some((i128::from(*b), Scalar::Signed(4))),
            Value::Pointer(p, _) => Some((i128::from(*p), Scalar::Unsigned(4))),
            _ => None,
        }
    };
    // Pointer arithmetic steps by the pointee's size.
    if let (Value::Pointer(address, pointee), Value::Int(n, _)) = (&a, &b)
        && matches!(op, Add | Sub)
    {
        let leaves = || "the pointer leaves memory".to_string();
        let step = pointee.map_or(1, &size_of) as i128;
        let offset = n.checked_mul(step).ok_or_else(leaves)?;
        let offset = if op == Add { Some(offset) } else { offset.checked_neg() }.ok_or_else(leaves)?;
        let moved = i128::from(*address).checked_add(offset).ok_or_else(leaves)?;
        let moved = u64::try_from(moved).map_err(|_| leaves())?;
        return Ok(Value::Pointer(moved, *pointee));
    }
    let floats = matches!(a, Value::Float(..)) || matches!(b, Value::Float(..));
    if floats {
        let (x, y) = (number(&a).ok_or("not a number")?, number(&b).ok_or("not a number")?);
        if let Some(holds) = compare(op, x.partial_cmp(&y)) {
            return Ok(Value::Bool(holds));
        }
        let result = match op {
            Add => x + y,
            Sub => x - y,
            Mul => x * y,
            Div => x / y,
            _ => x % y,
        };
        return Ok(Value::Float(result, Scalar::F64));
    }
    let ((x, sa), (y, sb)) = (
        integer(&a).ok_or_else(|| format!("{} is not a number", describe(&a)))?,
        integer(&b).ok_or_else(|| format!("{} is not a number", describe(&b)))?,
    );
    let scalar = common(sa, sb);
    let (x, y) = (wrap(x, scalar), wrap(y, scalar));
    if let Some(holds) = compare(op, Some(x.cmp(&y))) {
        return Ok(Value::Bool(holds));
    }
    let result = match op {
        Add => x + y,
        Sub => x - y,
        Mul => x.wrapping_mul(y),
        _ if y == 0 => return Err("division by zero".into()),
        Div => x / y,
        _ => x % y,
    };
    Ok(Value::Int(wrap(result, scalar), scalar))
}

/// The result of a comparison operator given how its operands order (`None`: a NaN, which
/// is unequal to everything); `None` for the other operators.
fn compare(op: BinaryOp, ordering: Option<std::cmp::Ordering>) -> Option<bool> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    Some(match op {
        BinaryOp::Eq => ordering == Some(Equal),
        BinaryOp::Ne => ordering != Some(Equal),
        BinaryOp::Lt => ordering == Some(Less),
        BinaryOp::Le => matches!(ordering, Some(Less | Equal)),
        BinaryOp::Gt => ordering == Some(Greater),
        BinaryOp::Ge => matches!(ordering, Some(Greater | Equal)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFrame;

    impl Machine for NoFrame {
        fn local(&mut self, _: u32) -> Option<gimli::Value> {
            None
        }
        fn global(&mut self, _: u32) -> Option<gimli::Value> {
            None
        }
        fn stack(&mut self, _: u32) -> Option<gimli::Value> {
            None
        }
        fn read(&mut self, address: u64, buffer: &mut [u8]) -> bool {
            // Memory holds its own address's low byte at every address below 256.
            for (i, byte) in buffer.iter_mut().enumerate() {
                *byte = address.wrapping_add(i as u64) as u8;
            }
            address.checked_add(buffer.len() as u64).is_some_and(|end| end <= 256)
        }
    }

    impl Frame for NoFrame {
        fn raw(&mut self, raw: Raw) -> Option<Value> {
            match raw {
                Raw::Local(0) => Some(Value::Int(-5, Scalar::Signed(4))),
                _ => None,
            }
        }
    }

    fn eval(text: &str) -> Result<String, String> {
        let mut frame = NoFrame;
        let scope = Scope {
            index: None,
            address: None,
            inline_depth: 0,
        };
        let mut evaluator = Evaluator::new(scope, &mut frame);
        let value = evaluator.eval(&parse(text).map_err(|e| e.to_string())?)?;
        let rendered = evaluator.render(&value);
        Ok(format!("{}: {}", rendered.value, rendered.ty))
    }

    #[test]
    fn arithmetic_comparison_logic_and_casts() {
        assert_eq!(eval("1 + 2 * 3").unwrap(), "7: i32");
        assert_eq!(eval("7 / 2 == 3 && 7 % 2 == 1").unwrap(), "true: bool");
        assert_eq!(eval("(u8) 300").unwrap(), "44: u8");
        assert_eq!(eval("-1 as u32").unwrap(), "4294967295: u32");
        assert_eq!(eval("0.5 + 1").unwrap(), "1.5: f64");
        assert_eq!(eval("$local0 * 2").unwrap(), "-10: i32");
        assert_eq!(eval("false || !0").unwrap(), "true: bool");
        assert_eq!(
            eval("2147483647 + 1").unwrap(),
            "-2147483648: i32",
            "i32 arithmetic wraps"
        );
        assert_eq!(eval("'A' + 1").unwrap(), "66: i32");
        // Huge literals never overflow the evaluator itself.
        assert_eq!(
            eval("170141183460469231731687303715884105727 * 2").unwrap_err(),
            "170141183460469231731687303715884105727 does not fit in 64 bits"
        );
        assert_eq!(eval("18446744073709551615 + 1").unwrap(), "0: u64");
        assert_eq!(eval("-9223372036854775807 - 2").unwrap(), "9223372036854775807: i64");
    }

    #[test]
    fn memory_reads_and_clear_errors() {
        assert_eq!(eval("$u8(0x41)").unwrap(), "65: u8");
        assert_eq!(eval("$u32(0)").unwrap(), "50462976: u32");
        assert_eq!(eval("$u8(1000)").unwrap_err(), "address 0x3e8 is outside linear memory");
        assert_eq!(eval("1 / 0").unwrap_err(), "division by zero");
        assert_eq!(
            eval("x + 1").unwrap_err(),
            "no variable `x`: the module has no DWARF (use $localN)"
        );
        assert_eq!(eval("$local9").unwrap_err(), "Local(9) does not exist in this frame");
        assert!(eval("*5").unwrap_err().starts_with("cannot dereference an integer"));
        // Short-circuit: the right side is never evaluated.
        assert_eq!(eval("0 && 1 / 0").unwrap(), "false: bool");
    }

    /// Expression pieces (operators, casts, raw-state names, literals at their limits, non-ASCII).
    const PIECES: &[&str] = &[
        "1",
        "0",
        "-",
        "+",
        "*",
        "/",
        "%",
        "(",
        ")",
        "[",
        "]",
        ".",
        "->",
        "&",
        "!",
        "&&",
        "||",
        "==",
        "<",
        "x",
        "$local0",
        "$u8(",
        "$stack9",
        "as u8",
        "(u64)",
        "'a'",
        "0x7fffffffffffffff",
        "1.5",
        "é",
        "'",
        "18446744073709551615",
        "true",
        " ",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: std::env::var("QIRVO_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(4096),
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Random expressions: parsing and evaluating never panic.
        #[test]
        fn random_input_never_panics(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
            noise in proptest::option::of(".{0,8}"),
        ) {
            let mut text = pieces.concat();
            text.push_str(noise.as_deref().unwrap_or_default());
            let _ = eval(&text);
        }
    }
}
