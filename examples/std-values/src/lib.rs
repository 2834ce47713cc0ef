//! A debugger fixture for Rust's std types: one local of each type rustc's own debugger
//! support formats, with known values. `inspect` is called from `start`; tests stop at the
//! line marked BREAK, then compare what the debugger shows with the `name = {:?}` lines the
//! program prints right after it.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::mem::ManuallyDrop;
use std::num::{NonZeroU32, NonZeroU8};
use std::ops::{Range, RangeFrom, RangeInclusive, RangeTo};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use qirvo_pdk::{Error, Plugin};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Pair {
    a: i32,
    b: i32,
}

#[derive(Default)]
struct StdValues {
    seen: usize,
}

#[inline(never)]
fn inspect(size: u32) -> usize {
    let mut hash_map: HashMap<String, u64> = HashMap::new();
    for (key, value) in [("apple", 3), ("pear", 5), ("fig", 8)] {
        hash_map.insert(key.to_string(), value);
    }
    let mut int_map: HashMap<i32, String> = HashMap::new();
    int_map.insert(42, "answer".to_string());
    int_map.insert(-1, "minus one".to_string());
    let hash_set: HashSet<u32> = [7, 11].into_iter().collect();
    let empty_map: HashMap<u8, u8> = HashMap::new();
    let btree_map: BTreeMap<String, i32> = [("one", 1), ("two", 2), ("three", 3)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    // More entries than one node holds (11): the tree has internal nodes.
    let deep_btree: BTreeMap<u32, u32> = (0..size).map(|i| (i, i * i)).collect();
    let btree_set: BTreeSet<char> = ['z', 'a', 'm'].into_iter().collect();
    let mut deque: VecDeque<i32> = VecDeque::with_capacity(4);
    deque.extend([1, 2, 3, 4]);
    deque.pop_front();
    deque.pop_front();
    deque.push_back(5);
    deque.push_back(6); // wrapped: the ring starts at index 2
    let os_string = OsString::from("os-text");
    let os_str: &OsStr = os_string.as_os_str();
    let path_buf = PathBuf::from("/data/plugin.json");
    let path: &Path = path_buf.as_path();
    let c_string = CString::new("c-text").unwrap_or_default();
    let c_str: &CStr = c_string.as_c_str();
    let cell = Cell::new(10);
    let ref_cell = RefCell::new(vec![1, 2]);
    let shared_borrow = ref_cell.borrow();
    let mut_cell = RefCell::new(Pair { a: 5, b: 6 });
    let mut_borrow = mut_cell.borrow_mut();
    let mutex = Mutex::new(3);
    let held = Mutex::new(String::from("held"));
    let guard = held.lock();
    let rw_lock = RwLock::new(9u8);
    let rc = Rc::new(Pair { a: 1, b: 2 });
    let rc_clone = Rc::clone(&rc);
    let weak = Rc::downgrade(&rc);
    let dropped: Weak<String> = Rc::downgrade(&Rc::new(String::from("gone")));
    let arc = Arc::new(vec![1u8, 2, 3]);
    let arc_weak = Arc::downgrade(&arc);
    let boxed = Box::new(Pair { a: 7, b: 8 });
    let rc_box = Rc::new(Box::new(Pair { a: 9, b: 10 }));
    let non_zero = NonZeroU32::new(7);
    let non_zero_u8 = NonZeroU8::MAX;
    let range: Range<i32> = 1..10;
    let range_inclusive: RangeInclusive<u8> = 1..=5;
    let range_from: RangeFrom<i64> = 3..;
    let range_to: RangeTo<u16> = ..4;
    let duration = Duration::from_millis(1500);
    let short_duration = Duration::from_micros(250);
    let cow_borrowed: Cow<str> = Cow::Borrowed("cow");
    let cow_owned: Cow<str> = Cow::Owned(String::from("owned cow"));
    let pinned: Pin<Box<i32>> = Box::pin(5);
    let manually_drop = ManuallyDrop::new(String::from("kept"));
    let combining = String::from("e\u{301}\u{323} ñ 日本 🦀");
    let quote = String::from("say \"hi\"\n");
    let offset = 5;
    let scale = 2;
    let closure = move |x: i32| x * scale + offset;
    let total = hash_map.len() + deep_btree.len() + deque.len() + closure(1) as usize; // BREAK
    println!("hash_map = {hash_map:?}");
    println!("int_map = {int_map:?}");
    println!("hash_set = {hash_set:?}");
    println!("empty_map = {empty_map:?}");
    println!("btree_map = {btree_map:?}");
    println!("deep_btree.len = {}", deep_btree.len());
    println!("btree_set = {btree_set:?}");
    println!("deque = {deque:?}");
    println!("os_string = {os_string:?}");
    println!("os_str = {os_str:?}");
    println!("path_buf = {path_buf:?}");
    println!("path = {path:?}");
    println!("c_string = {c_string:?}");
    println!("c_str = {c_str:?}");
    println!("cell = {:?}", cell.get());
    println!("shared_borrow = {:?}", *shared_borrow);
    println!("mut_borrow = {:?}", *mut_borrow);
    println!("mutex = {:?}", mutex.lock().map(|m| *m).unwrap_or_default());
    println!("guard = {:?}", guard.as_deref().map(String::as_str).unwrap_or_default());
    println!("rw_lock = {:?}", rw_lock.read().map(|r| *r).unwrap_or_default());
    println!("rc = {rc:?} strong={} weak={}", Rc::strong_count(&rc), Rc::weak_count(&rc));
    println!("weak = {:?}", weak.upgrade());
    println!("dropped = {:?}", dropped.upgrade());
    println!("arc = {arc:?} strong={} weak={}", Arc::strong_count(&arc), Arc::weak_count(&arc));
    println!("boxed = {boxed:?}");
    println!("rc_box = {rc_box:?}");
    println!("non_zero = {non_zero:?}");
    println!("non_zero_u8 = {non_zero_u8:?}");
    println!("range = {range:?}");
    println!("range_inclusive = {range_inclusive:?}");
    println!("range_from = {range_from:?}");
    println!("range_to = {range_to:?}");
    println!("duration = {duration:?}");
    println!("short_duration = {short_duration:?}");
    println!("cow_borrowed = {cow_borrowed:?}");
    println!("cow_owned = {cow_owned:?}");
    println!("pinned = {pinned:?}");
    println!("manually_drop = {:?}", *manually_drop);
    println!("combining = {combining}");
    println!("quote = {quote:?}");
    std::hint::black_box((
        &hash_map,
        &int_map,
        &hash_set,
        &empty_map,
        &btree_map,
        &btree_set,
        &deque,
        os_str,
        path,
        c_str,
        &cell,
        &mutex,
        &rw_lock,
        &rc_clone,
        &weak,
        &dropped,
        &arc_weak,
        &boxed,
        &rc_box,
        &range_to,
        &cow_owned,
        &pinned,
        &manually_drop,
        &combining,
    ));
    drop(guard);
    drop(mut_borrow);
    drop(shared_borrow);
    total
}

impl Plugin for StdValues {
    fn start(&mut self) -> Result<(), Error> {
        self.seen = inspect(40);
        println!("seen {}", self.seen);
        Ok(())
    }
}

qirvo_pdk::plugin!(StdValues);
