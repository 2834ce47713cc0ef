//! `disassemble`: the wasm instructions around an `instructionPointerReference`, with their
//! function and, where DWARF has one, the source line each run of instructions comes from.

use std::sync::Arc;

use super::{Session, ThreadState};
use crate::disassembly::Disassembly;
use crate::protocol::DapError;
use crate::protocol::bodies::{DisassembleResponse, DisassembledInstruction, InstructionPresentationHint, Source};
use crate::protocol::types::{DisassembleArguments, MemoryReference};

/// Most instructions answered at once.
const MAX_INSTRUCTIONS: i64 = 10_000;

impl Session {
    pub(super) fn disassemble(&mut self, args: DisassembleArguments) -> Result<DisassembleResponse, DapError> {
        let address = MemoryReference::parse(&args.memory_reference)
            .and_then(|reference| reference.offset_by(args.offset))
            .map_err(DapError::BadAddress)?;
        let pc = u32::try_from(address).map_err(|_| DapError::NotInModule)?;
        let count = args.instruction_count.clamp(0, MAX_INSTRUCTIONS) as usize;
        // The stopped plugin's module (with several plugins, the first stopped one).
        let index = self
            .threads
            .iter()
            .position(|t| t.state == ThreadState::Stopped)
            .or_else(|| (!self.threads.is_empty()).then_some(0))
            .ok_or(DapError::NoPluginLoaded)?;
        let thread = &mut self.threads[index];
        let disassembly = match &thread.disassembly {
            Some(disassembly) => disassembly.clone(),
            None => {
                let bytes = std::fs::read(&thread.module_path).map_err(|e| DapError::CannotRead {
                    path: thread.module_path.display().to_string(),
                    error: e.to_string(),
                })?;
                let disassembly = Arc::new(Disassembly::of_module(&bytes).map_err(DapError::Disassembly)?);
                thread.disassembly = Some(disassembly.clone());
                disassembly
            }
        };
        let thread = &self.threads[index];
        // Farther than any module has instructions; keeps the window's arithmetic in range.
        let instruction_offset = args.instruction_offset.clamp(-(1 << 40), 1 << 40);
        let window = disassembly.window(pc, instruction_offset, count);
        let (mut last_line, mut last_function) = (None, None);
        // Placeholders outside the code count bytes away from the nearest instruction.
        let leading = window.iter().take_while(|i| i.is_none()).count();
        let first = window.iter().flatten().next().map(|i| u64::from(i.pc));
        let last = window.iter().rposition(Option::is_some);
        let placeholder = |slot: usize| match (first, last) {
            (Some(first), _) if slot < leading => first.saturating_sub((leading - slot) as u64),
            (_, Some(last)) => window[last].map_or(0, |i| u64::from(i.pc)) + (slot - last) as u64,
            _ => u64::from(pc) + slot as u64,
        };
        let instructions = window
            .iter()
            .enumerate()
            .map(|(slot, instruction)| {
                let Some(instruction) = instruction else {
                    // Outside the code: placeholders keep the count the client asked for.
                    let address = placeholder(slot);
                    return DisassembledInstruction {
                        address: format!("{address:#x}"),
                        instruction: String::new(),
                        symbol: None,
                        location: None,
                        line: None,
                        presentation_hint: Some(InstructionPresentationHint::Invalid),
                    };
                };
                let mut value = DisassembledInstruction {
                    address: format!("{:#x}", instruction.pc),
                    instruction: instruction.text.clone(),
                    symbol: None,
                    location: None,
                    line: None,
                    presentation_hint: None,
                };
                if last_function.as_ref() != Some(&instruction.function) {
                    value.symbol = Some(instruction.function.clone());
                    last_function = Some(instruction.function.clone());
                }
                let location = thread
                    .debuggee
                    .index
                    .as_ref()
                    .and_then(|index| index.location(instruction.pc));
                if let Some(location) = location
                    && last_line.as_ref() != Some(&(location.file.clone(), location.line))
                {
                    value.location = Some(Source::at_path(thread.paths.to_local(&location.file)));
                    value.line = Some(self.coordinates.line_to_client(location.line));
                    last_line = Some((location.file, location.line));
                }
                value
            })
            .collect();
        Ok(DisassembleResponse { instructions })
    }
}
