//! The wasm instructions of a module, for `disassemble`: wasmprinter's text of every
//! instruction in every function body, keyed by module offset (the `ModulePC` that frames'
//! `instructionPointerReference`s carry). Built once per module, on the first request.

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Module offset.
    pub pc: u32,
    /// Text, e.g. `local.get 0`.
    pub text: String,
    /// The function it is in, e.g. `$hello::start` or `func 12`.
    pub function: String,
}

/// Every instruction of a module, in module order.
#[derive(Debug, Default)]
pub struct Disassembly {
    instructions: Vec<Instruction>,
}

impl Disassembly {
    /// Disassembles module bytes.
    pub fn of_module(bytes: &[u8]) -> Result<Disassembly, String> {
        // Where instructions are: each body from its first operator to its end.
        let mut bodies = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? {
                let operators = body.get_operators_reader().map_err(|e| e.to_string())?;
                bodies.push(operators.original_position()..body.range().end);
            }
        }
        let mut storage = String::new();
        let lines = wasmprinter::Config::new()
            .offsets_and_lines(bytes, &mut storage)
            .map_err(|e| e.to_string())?;
        let mut instructions = Vec::new();
        let mut function = String::new();
        let mut body = 0;
        for (offset, line) in lines {
            let text = line.trim();
            if let Some(rest) = text.strip_prefix("(func ") {
                // `(func $name (;12;) (type 3) …` or `(func (;12;) …`
                function = match rest.split_whitespace().next() {
                    Some(name) if name.starts_with('$') => name.to_string(),
                    _ => rest
                        .split(";)")
                        .next()
                        .and_then(|s| s.strip_prefix("(;"))
                        .map_or_else(|| "func".into(), |index| format!("func {index}")),
                };
            }
            let Some(offset) = offset else { continue };
            while bodies
                .get(body)
                .is_some_and(|b: &std::ops::Range<usize>| b.end <= offset)
            {
                body += 1;
            }
            let inside = bodies.get(body).is_some_and(|b| b.contains(&offset));
            let Ok(pc) = u32::try_from(offset) else { break };
            if inside && !text.is_empty() && !text.starts_with('(') {
                // A body's final `end` prints as the closing parenthesis of its `(func`.
                let text = if text == ")" { "end" } else { text };
                instructions.push(Instruction {
                    pc,
                    text: text.to_string(),
                    function: function.clone(),
                });
            }
        }
        Ok(Disassembly { instructions })
    }

    /// `count` slots starting `offset` instructions from the one at (or after) `pc`; slots
    /// before the first or after the last instruction are `None`.
    pub fn window(&self, pc: u32, offset: i64, count: usize) -> Vec<Option<&Instruction>> {
        let anchor = self.instructions.partition_point(|i| i.pc < pc) as i64;
        let first = anchor.saturating_add(offset);
        (0..count)
            .map(|i| {
                let index = i64::try_from(i).map_or(i64::MAX, |i| first.saturating_add(i));
                usize::try_from(index)
                    .ok()
                    .and_then(|index| self.instructions.get(index))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_carry_their_offsets_and_functions() {
        let wasm = wat::parse_str(
            r#"(module
                (func $add (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
                (func (result i32) i32.const 7 call $add))"#,
        )
        .unwrap();
        let disassembly = Disassembly::of_module(&wasm).unwrap();
        let texts: Vec<(&str, &str)> = disassembly
            .instructions
            .iter()
            .map(|i| (i.function.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("$add", "local.get 0"),
                ("$add", "local.get 1"),
                ("$add", "i32.add"),
                ("$add", "end"),
                ("func 1", "i32.const 7"),
                ("func 1", "call $add"),
                ("func 1", "end"),
            ]
        );
        // Offsets are module offsets of each instruction, increasing.
        let pcs: Vec<u32> = disassembly.instructions.iter().map(|i| i.pc).collect();
        assert!(pcs.windows(2).all(|w| w[0] < w[1]), "{pcs:?}");
        assert_eq!(wasm[pcs[2] as usize], 0x6a, "i32.add's opcode is at its offset");
        // A window around `i32.add`: two before, padded past the end.
        let window = disassembly.window(pcs[2], -2, 8);
        let shown: Vec<Option<&str>> = window.iter().map(|i| i.map(|i| i.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                Some("local.get 0"),
                Some("local.get 1"),
                Some("i32.add"),
                Some("end"),
                Some("i32.const 7"),
                Some("call $add"),
                Some("end"),
                None
            ]
        );
        assert_eq!(disassembly.window(pcs[0], -1, 1), [None]);
    }
}
