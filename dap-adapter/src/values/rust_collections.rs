//! Rust std collections whose elements are not one run of memory: `HashMap`/`HashSet`
//! (hashbrown's table: a control byte per bucket, buckets stored below the control bytes),
//! `BTreeMap`/`BTreeSet` (nodes walked in key order) and `VecDeque` (a ring that starts at
//! its head). Entries come in the order the program's own iteration (and `{:?}`) gives them.
//!
//! Everything here reads plugin memory that the plugin may have corrupted: counts, heights and
//! pointers are bounded before they drive a loop.

use std::ops::Range;

use super::rust::member;
use super::{Children, Described, Renderer, SUMMARY_DEPTH, SUMMARY_ITEMS, read, scalar_size, sub_place, unsigned};
use crate::dwarf::types::{Kind, Member, TypeId};
use crate::dwarf::variables::{Machine, Place};

/// Most buckets of a hash table believed (2^28: a table of 256 Mi entries is corruption here).
const MAX_BUCKETS: u64 = 1 << 28;
/// Control bytes read at once while looking for full buckets.
const CONTROL_CHUNK: usize = 4096;
/// Deepest B-tree believed (a height of 30 would hold more entries than memory has bytes).
const MAX_BTREE_HEIGHT: u64 = 30;
/// Members searched for a layout's fields.
const LAYOUT_SEARCH: usize = 64;

/// A collection's entries and how to find them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// Entries, as the collection counts them.
    pub count: u64,
    /// Key type of a map; `None` for sets and deques.
    key: Option<TypeId>,
    /// Element (set, deque) or value (map) type.
    value: TypeId,
    layout: Layout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Layout {
    /// `capacity` slots of `stride` bytes at `buffer`; entry `i` is in slot `(head + i) % capacity`.
    Ring {
        buffer: u64,
        capacity: u64,
        head: u64,
        stride: u64,
    },
    /// `buckets` control bytes at `control` (a byte with the top bit clear marks a full
    /// bucket); bucket `i` is the `stride` bytes ending `i * stride` below `control`.
    HashTable {
        control: u64,
        buckets: u64,
        stride: u64,
        key_offset: u64,
        value_offset: u64,
    },
    /// A B-tree of `height` below `root`.
    BTree { root: u64, height: u64, node: NodeLayout },
}

/// Where a B-tree node keeps its length, keys, values and children.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NodeLayout {
    len: u64,
    len_size: usize,
    keys: u64,
    key_stride: u64,
    values: u64,
    value_stride: u64,
    capacity: u64,
    /// Offset and stride of the child pointers of an internal node (`None`: no internal node
    /// type in the DWARF, so only a tree of height 0 can be walked).
    edges: Option<(u64, u64)>,
}

/// One entry: a map's key and value, or a set's or deque's element (`key` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key of a map entry.
    pub key: Option<(Place, TypeId)>,
    /// The value (map) or the element (set, deque).
    pub value: (Place, TypeId),
}

impl Collection {
    /// Whether entries are keyed (a map).
    pub fn is_map(&self) -> bool {
        self.key.is_some()
    }

    /// Whether `[i]` names entry `i` (a deque or a set; a map is indexed by key).
    pub fn is_positional(&self) -> bool {
        !self.is_map()
    }
}

impl Renderer<'_> {
    /// `HashMap`, `HashSet`, `BTreeMap`, `BTreeSet` and `VecDeque`: `len=3 {"a": 1, …}` or
    /// `len=2 [3, 4]`, with the entries as children.
    pub(super) fn describe_collection(
        &self,
        id: TypeId,
        base: &str,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> Option<Described> {
        let collection = match base {
            "VecDeque" => self.ring(id, members, place, machine)?,
            "HashMap" | "HashSet" => self.hash_table(members, place, machine, base == "HashMap")?,
            _ => self.btree(id, members, place, machine, base == "BTreeMap")?,
        };
        let summary = self.collection_summary(&collection, base == "VecDeque", machine, depth);
        Some(Ok((summary, Some(Children::Entries(collection)))))
    }

    fn collection_summary(
        &self,
        collection: &Collection,
        list: bool,
        machine: &mut dyn Machine,
        depth: usize,
    ) -> String {
        let (open, close) = if list { ("[", "]") } else { ("{", "}") };
        let count = collection.count;
        if depth >= SUMMARY_DEPTH {
            return format!("len={count} {open}{}{close}", if count == 0 { "" } else { "…" });
        }
        let shown = count.min(SUMMARY_ITEMS as u64);
        let mut parts: Vec<String> = self
            .entries(collection, 0..shown, machine)
            .into_iter()
            .map(|entry| {
                let value = self
                    .render_depth(Some(entry.value.1), &entry.value.0, machine, depth + 1)
                    .value;
                match entry.key {
                    Some((place, ty)) => {
                        let key = self.render_depth(Some(ty), &place, machine, depth + 1).value;
                        format!("{key}: {value}")
                    }
                    None => value,
                }
            })
            .collect();
        if count > shown {
            parts.push("…".into());
        }
        format!("len={count} {open}{}{close}", parts.join(", "))
    }

    /// The first member called `name` found depth first through nested structs, and where it is.
    fn find_member(
        &self,
        members: &[Member],
        place: &Place,
        name: &str,
        budget: &mut usize,
    ) -> Option<(Member, Place)> {
        for m in members {
            *budget = budget.checked_sub(1)?;
            let at = sub_place(place, m.offset, None);
            if m.name == name {
                return Some((m.clone(), at));
            }
            if let Some(Kind::Struct {
                members: inner,
                variants: None,
                ..
            }) = m.ty.and_then(|t| self.types.read(t)).map(|t| t.kind)
                && let Some(found) = self.find_member(&inner, &at, name, budget)
            {
                return Some(found);
            }
        }
        None
    }

    fn number_named(&self, members: &[Member], place: &Place, name: &str, machine: &mut dyn Machine) -> Option<u64> {
        let (found, at) = self.find_member(members, place, name, &mut LAYOUT_SEARCH.clone())?;
        self.innermost_number(found.ty, &at, machine)
    }

    /// `VecDeque { head, len, buf: RawVec { ptr, cap } }`.
    fn ring(&self, id: TypeId, members: &[Member], place: &Place, machine: &mut dyn Machine) -> Option<Collection> {
        let element = self.types.template_type(id)?;
        let stride = self.types.read(element)?.size?;
        let head = self.number_named(members, place, "head", machine)?;
        let count = self.number_named(members, place, "len", machine)?;
        let (buf, buf_place) = self.find_member(members, place, "buf", &mut LAYOUT_SEARCH.clone())?;
        let Kind::Struct {
            members: buf_members, ..
        } = self.types.read(buf.ty?)?.kind
        else {
            return None;
        };
        let capacity = self.number_named(&buf_members, &buf_place, "cap", machine)?;
        let (pointer, at) = self.find_member(&buf_members, &buf_place, "ptr", &mut LAYOUT_SEARCH.clone())?;
        let buffer = self.innermost_number(pointer.ty, &at, machine)?;
        // A zero-sized element has capacity usize::MAX and no slots.
        let plausible = stride == 0 || (count <= capacity && head < capacity.max(1));
        plausible.then_some(Collection {
            count,
            key: None,
            value: element,
            layout: Layout::Ring {
                buffer,
                capacity,
                head,
                stride,
            },
        })
    }

    /// `HashMap { base: hashbrown::HashMap { table: RawTable<(K, V)> { table: RawTableInner
    /// { bucket_mask, ctrl, items, .. } } } }`, and `HashSet`, a map to `()`.
    fn hash_table(
        &self,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        map: bool,
    ) -> Option<Collection> {
        // The outer `table` is `RawTable<T>`: its parameter is the bucket type.
        let (raw_table, raw_place) = self.find_member(members, place, "table", &mut LAYOUT_SEARCH.clone())?;
        let raw_table_type = raw_table.ty?;
        let bucket = self
            .types
            .template_types(raw_table_type)
            .into_iter()
            .find(|(name, _)| name == "T")
            .map(|(_, ty)| ty)?;
        let Kind::Struct {
            members: raw_members, ..
        } = self.types.read(raw_table_type)?.kind
        else {
            return None;
        };
        let control = self.number_named(&raw_members, &raw_place, "ctrl", machine)?;
        let mask = self.number_named(&raw_members, &raw_place, "bucket_mask", machine)?;
        let count = self.number_named(&raw_members, &raw_place, "items", machine)?;
        let buckets = mask.checked_add(1)?;
        if !buckets.is_power_of_two() || buckets > MAX_BUCKETS || count > buckets {
            return None;
        }
        let bucket_type = self.types.read(bucket)?;
        let stride = bucket_type.size?;
        let Kind::Struct { members: pair, .. } = &bucket_type.kind else {
            return None;
        };
        let first = member(pair, "__0")?;
        let (key, value, key_offset, value_offset) = if map {
            let second = member(pair, "__1")?;
            (Some(first.ty?), second.ty?, first.offset, second.offset)
        } else {
            (None, first.ty?, 0, first.offset)
        };
        Some(Collection {
            count,
            key,
            value,
            layout: Layout::HashTable {
                control,
                buckets,
                stride,
                key_offset,
                value_offset,
            },
        })
    }

    /// `BTreeMap { root: Option<NodeRef { height, node }>, length }`, and `BTreeSet { map }`.
    fn btree(
        &self,
        id: TypeId,
        members: &[Member],
        place: &Place,
        machine: &mut dyn Machine,
        map: bool,
    ) -> Option<Collection> {
        if !map {
            // A set is a map to a zero-sized value.
            let inner = member(members, "map")?;
            let Kind::Struct {
                members: map_members, ..
            } = self.types.read(inner.ty?)?.kind
            else {
                return None;
            };
            let mut set = self.btree(
                inner.ty?,
                &map_members,
                &sub_place(place, inner.offset, None),
                machine,
                true,
            )?;
            set.value = set.key.take()?;
            if let Layout::BTree { node, .. } = &mut set.layout {
                (node.values, node.value_stride) = (node.keys, node.key_stride);
            }
            return Some(set);
        }
        let parameters = self.types.template_types(id);
        let parameter = |name: &str| parameters.iter().find(|(n, _)| n == name).map(|(_, ty)| *ty);
        let (key, value) = (parameter("K")?, parameter("V")?);
        let length = member(members, "length")?;
        let count = self.innermost_number(length.ty, &sub_place(place, length.offset, None), machine)?;
        let root = member(members, "root")?;
        let (node_ref, root_place) = self.some_payload(root.ty?, &sub_place(place, root.offset, None))?;
        let Kind::Struct {
            members: node_ref_members,
            ..
        } = self.types.read(node_ref)?.kind
        else {
            return None;
        };
        let height_member = member(&node_ref_members, "height")?;
        let node_member = member(&node_ref_members, "node")?;
        let (leaf_pointer, node_at) =
            self.innermost_scalar(node_member.ty?, &sub_place(&root_place, node_member.offset, None))?;
        let Kind::Pointer(Some(leaf)) = self.types.read(leaf_pointer)?.kind else {
            return None;
        };
        let node = self.node_layout(leaf)?;
        let (height, root_node) = if count == 0 {
            (0, 0)
        } else {
            let height = self.innermost_number(
                height_member.ty,
                &sub_place(&root_place, height_member.offset, None),
                machine,
            )?;
            let pointer_size = scalar_size(&self.types.read(leaf_pointer)?);
            (height, unsigned(&read(&node_at, pointer_size, machine)?))
        };
        if height > MAX_BTREE_HEIGHT || (height > 0 && node.edges.is_none()) {
            return None;
        }
        Some(Collection {
            count,
            key: Some(key),
            value,
            layout: Layout::BTree {
                root: root_node,
                height,
                node,
            },
        })
    }

    /// The payload of an `Option<T>`'s `Some` variant: its type and where it is.
    fn some_payload(&self, option: TypeId, place: &Place) -> Option<(TypeId, Place)> {
        let Kind::Struct {
            variants: Some(part), ..
        } = self.types.read(option)?.kind
        else {
            return None;
        };
        let some = part.variants.iter().find(|v| v.member.name == "Some")?;
        let Kind::Struct { members, .. } = self.types.read(some.member.ty?)?.kind else {
            return None;
        };
        let payload = member(&members, "__0")?;
        Some((
            payload.ty?,
            sub_place(place, some.member.offset.saturating_add(payload.offset), None),
        ))
    }

    /// `LeafNode { parent: Option<NonNull<InternalNode>>, len, keys: [_; CAP], vals: [_; CAP] }`
    /// and `InternalNode { data: LeafNode, edges: [_; CAP + 1] }`.
    fn node_layout(&self, leaf: TypeId) -> Option<NodeLayout> {
        let Kind::Struct { members, .. } = self.types.read(leaf)?.kind else {
            return None;
        };
        let array = |name: &str| -> Option<(u64, u64, u64)> {
            let field = member(&members, name)?;
            let array = self.types.read(field.ty?)?;
            let Kind::Array { element, counts } = array.kind else {
                return None;
            };
            let stride = self.types.read(element?)?.size?;
            Some((field.offset, stride, counts.first().copied().flatten()?))
        };
        let (keys, key_stride, capacity) = array("keys")?;
        let (values, value_stride, _) = array("vals")?;
        let len = member(&members, "len")?;
        let len_size = scalar_size(&self.types.read(len.ty?)?);
        let edges = member(&members, "parent").and_then(|parent| {
            let (internal_pointer, _) = self.some_payload(parent.ty?, &Place::Memory(0))?;
            let (pointer, _) = self.innermost_scalar(internal_pointer, &Place::Memory(0))?;
            let Kind::Pointer(Some(internal)) = self.types.read(pointer)?.kind else {
                return None;
            };
            let Kind::Struct { members: internal, .. } = self.types.read(internal)?.kind else {
                return None;
            };
            let edges = member(&internal, "edges")?;
            let Kind::Array { element, .. } = self.types.read(edges.ty?)?.kind else {
                return None;
            };
            Some((edges.offset, self.types.read(element?)?.size?))
        });
        Some(NodeLayout {
            len: len.offset,
            len_size,
            keys,
            key_stride,
            values,
            value_stride,
            capacity,
            edges,
        })
    }

    /// Entries `range` of a collection, in iteration order; fewer if memory does not hold them.
    pub fn entries(&self, collection: &Collection, range: Range<u64>, machine: &mut dyn Machine) -> Vec<Entry> {
        let range = range.start..range.end.min(collection.count);
        if range.is_empty() {
            return Vec::new();
        }
        let slots: Vec<(u64, Option<u64>)> = match &collection.layout {
            Layout::Ring {
                buffer,
                capacity,
                head,
                stride,
            } => range
                .map(|i| {
                    let slot = head.saturating_add(i) % (*capacity).max(1);
                    (buffer.saturating_add(slot.saturating_mul(*stride)), None)
                })
                .collect(),
            Layout::HashTable {
                control,
                buckets,
                stride,
                key_offset,
                value_offset,
            } => full_buckets(*control, *buckets, range, machine)
                .into_iter()
                .map(|bucket| {
                    let start = control.saturating_sub(bucket.saturating_add(1).saturating_mul(*stride));
                    (
                        start.saturating_add(*value_offset),
                        Some(start.saturating_add(*key_offset)),
                    )
                })
                .collect(),
            Layout::BTree { root, height, node } => btree_slots(*root, *height, node, range, machine)
                .into_iter()
                .map(|(address, index)| {
                    let key = address
                        .saturating_add(node.keys)
                        .saturating_add(index * node.key_stride);
                    let value = address
                        .saturating_add(node.values)
                        .saturating_add(index * node.value_stride);
                    (value, Some(key))
                })
                .collect(),
        };
        slots
            .into_iter()
            .map(|(value, key)| Entry {
                key: collection
                    .key
                    .zip(key)
                    .map(|(ty, address)| (Place::Memory(address), ty)),
                value: (Place::Memory(value), collection.value),
            })
            .collect()
    }

    /// The entry of a map whose key renders as `key` (`"apple"`, `42`), looking at no more
    /// than `limit` entries.
    pub fn entry_by_key(
        &self,
        collection: &Collection,
        key: &str,
        limit: u64,
        machine: &mut dyn Machine,
    ) -> Option<Entry> {
        const PAGE: u64 = 1024;
        let end = collection.count.min(limit);
        let mut start = 0;
        while start < end {
            for entry in self.entries(collection, start..(start + PAGE).min(end), machine) {
                if let Some((place, ty)) = &entry.key
                    && self.render_depth(Some(*ty), place, machine, SUMMARY_DEPTH).value == key
                {
                    return Some(entry);
                }
            }
            start += PAGE;
        }
        None
    }
}

/// Indexes of the full buckets `range` (counting full buckets only), in bucket order.
fn full_buckets(control: u64, buckets: u64, range: Range<u64>, machine: &mut dyn Machine) -> Vec<u64> {
    let mut found = Vec::new();
    let mut full = 0u64;
    let mut chunk = vec![0u8; CONTROL_CHUNK];
    let mut bucket = 0u64;
    while bucket < buckets && full < range.end {
        let n = (buckets - bucket).min(CONTROL_CHUNK as u64) as usize;
        if !machine.read(control.saturating_add(bucket), &mut chunk[..n]) {
            break;
        }
        for (i, byte) in chunk[..n].iter().enumerate() {
            if byte & 0x80 == 0 {
                if full >= range.start {
                    found.push(bucket + i as u64);
                }
                full += 1;
                if full >= range.end {
                    break;
                }
            }
        }
        bucket += n as u64;
    }
    found
}

/// (node address, index in node) of entries `range` of a B-tree, walked in key order.
fn btree_slots(
    root: u64,
    height: u64,
    node: &NodeLayout,
    range: Range<u64>,
    machine: &mut dyn Machine,
) -> Vec<(u64, u64)> {
    let length = |address: u64, machine: &mut dyn Machine| -> Option<u64> {
        let bytes = read(&Place::Memory(address.saturating_add(node.len)), node.len_size, machine)?;
        Some(unsigned(&bytes)).filter(|len| *len <= node.capacity)
    };
    let edge = |address: u64, index: u64, machine: &mut dyn Machine| -> Option<u64> {
        let (offset, stride) = node.edges?;
        let at = address
            .saturating_add(offset)
            .saturating_add(index.saturating_mul(stride));
        read(&Place::Memory(at), stride.min(8) as usize, machine).map(|bytes| unsigned(&bytes))
    };
    // Each node has at least one entry, so a walk that reads more nodes than entries is
    // going round in corrupted memory.
    let mut budget = range.end.saturating_add(height).saturating_add(2);
    let mut found = Vec::new();
    let mut position = 0u64;
    // (node, height, next index): the path from the root to the entry being visited.
    let mut stack: Vec<(u64, u64, u64)> = Vec::new();
    let mut descend =
        |mut address: u64, mut level: u64, stack: &mut Vec<(u64, u64, u64)>, machine: &mut dyn Machine| {
            loop {
                if budget == 0 {
                    return;
                }
                budget -= 1;
                stack.push((address, level, 0));
                if level == 0 {
                    return;
                }
                let Some(child) = edge(address, 0, machine) else { return };
                (address, level) = (child, level - 1);
            }
        };
    descend(root, height, &mut stack, machine);
    while let Some(&(address, level, index)) = stack.last() {
        let Some(len) = length(address, machine) else { break };
        if index >= len {
            stack.pop();
            continue;
        }
        // The rest of a leaf before the page starts is skipped without visiting its entries.
        if level == 0 && position.saturating_add(len - index) <= range.start {
            position += len - index;
            if let Some(top) = stack.last_mut() {
                top.2 = len;
            }
            continue;
        }
        if let Some(top) = stack.last_mut() {
            top.2 += 1;
        }
        if position >= range.start {
            found.push((address, index));
        }
        position += 1;
        if position >= range.end {
            break;
        }
        if level > 0 {
            let Some(child) = edge(address, index + 1, machine) else {
                break;
            };
            descend(child, level - 1, &mut stack, machine);
        }
    }
    found
}
