//! A fixture for the debugger: one local of every kind a Rust plugin has, with known values.
//! `inspect` is called from `start`; tests stop at the line marked BREAK.

use std::rc::Rc;
use std::sync::Arc;

use qirvo_pdk::{Error, Plugin};

// The fields are read by the debugger, not by the program.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy)]
struct Point {
    x: i32,
    y: i32,
}

#[allow(dead_code)]
#[derive(Debug)]
enum Shape {
    Circle { radius: f64 },
    Square(u32),
    Empty,
}

#[derive(Default)]
struct Variables {
    seen: usize,
}

#[inline(never)]
fn inspect(count: u32, label: &str) -> usize {
    let flag = true;
    let letter = 'ß';
    let small: i8 = -3;
    let big: u64 = 18_000_000_000_000_000_000;
    let ratio: f32 = 0.25;
    let text = String::from("héllo");
    let numbers: Vec<i32> = vec![10, 20, 30];
    let many: Vec<u32> = (0..100_000).collect();
    let slice: &[i32] = &numbers[1..];
    let some: Option<i32> = Some(7);
    let none: Option<i32> = None;
    let ok: Result<u32, String> = Ok(3);
    let err: Result<u32, String> = Err(String::from("bad"));
    let point = Point { x: 1, y: -2 };
    let boxed = Box::new(Point { x: 5, y: 6 });
    let shared = Rc::new(String::from("rc"));
    let atomic = Arc::new(42u64);
    let tuple = (1u8, "two");
    let circle = Shape::Circle { radius: 1.5 };
    let square = Shape::Square(4);
    let empty = Shape::Empty;
    let array = [[1u16, 2], [3, 4]];
    let total = count as usize + label.len() + text.len() + numbers.len() + many.len() + slice.len(); // BREAK
    std::hint::black_box((
        flag, letter, small, big, ratio, &some, &none, &ok, &err, point, &boxed, &shared, &atomic, tuple, &circle,
        &square, &empty, array,
    ));
    total
}

impl Plugin for Variables {
    fn start(&mut self) -> Result<(), Error> {
        self.seen = inspect(42, "from start");
        println!("seen {}", self.seen);
        Ok(())
    }
}

qirvo_pdk::plugin!(Variables);
