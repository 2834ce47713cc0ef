//! `evaluate` (hover, watch, repl, clipboard) and REPL `completions`.

use super::variables::frame_selector;
use super::{Session, ThreadState};
use crate::eval;
use crate::inspect::{self, FrameSelector, Row};
use crate::protocol::DapError;
use crate::protocol::bodies::{CompletionItem, CompletionItemType, CompletionsResponse, EvaluateResponse};
use crate::protocol::types::{CompletionsArguments, EvaluateArguments, ValueFormat};
use crate::protocol::{byte_offset_of_column, utf16_len};

/// Names the REPL completes besides the frame's variables.
const RAW_NAMES: &[&str] = &[
    "$local0", "$global0", "$stack0", "$u8(", "$u32(", "$i32(", "$u64(", "$f32(", "$f64(",
];

impl Session {
    /// The frame a request without `frameId` means: the top of the first stopped plugin.
    fn default_frame(&self) -> Result<(i64, FrameSelector), DapError> {
        let thread = self.stopped_thread()?;
        let selector = frame_selector(thread, 0, 0).ok_or(DapError::NoFrames)?;
        Ok((thread.debuggee.thread_id, selector))
    }

    pub(super) async fn evaluate(&mut self, args: EvaluateArguments) -> Result<EvaluateResponse, DapError> {
        let expression = eval::parse(&args.expression).map_err(|e| DapError::Evaluation(e.to_string()))?;
        let (thread_id, selector) = match args.frame_id {
            Some(frame) => self.selector(frame)?,
            None => self.default_frame()?,
        };
        let thread = self.thread(thread_id)?;
        if thread.state != ThreadState::Stopped {
            return Err(DapError::NotStopped { thread: thread_id });
        }
        let variables = thread.debuggee.index.as_ref().map(|index| index.variables());
        let debuggee = thread.debuggee.clone();
        let radix = ValueFormat::radix(args.format);
        let rendered = debuggee
            .query(move |mut store| inspect::evaluate(&mut store, variables.as_deref(), selector, &expression, radix))
            .await??;
        // Children of the result are named from the expression, as if it were a variable.
        let row = self.variable_json(
            thread_id,
            selector,
            Row::value("", rendered),
            Some(args.expression.clone()),
        );
        Ok(EvaluateResponse {
            result: row.value,
            ty: row.ty,
            presentation_hint: None,
            variables_reference: row.variables_reference,
            named_variables: None,
            indexed_variables: row.indexed_variables,
            memory_reference: row.memory_reference,
        })
    }

    pub(super) fn completions(&mut self, args: CompletionsArguments) -> Result<CompletionsResponse, DapError> {
        let (thread_id, selector) = match args.frame_id {
            Some(frame) => self.selector(frame)?,
            None => self.default_frame()?,
        };
        // The word before the cursor. Columns count UTF-16 units; any text may come here (a
        // typographic quote, an emoji), so offsets are found by character, never by byte.
        let line = args.line.map_or(1, |line| {
            let line = u32::try_from(line.max(0)).unwrap_or(u32::MAX);
            self.coordinates.line_from_client(line)
        });
        let text = line_of_input(&args.text, line);
        let column = self.coordinates.column_from_client(args.column);
        let before = &text[..byte_offset_of_column(text, column)];
        let start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '$')
            .last()
            .map_or(before.len(), |(i, _)| i);
        let prefix = &before[start..];
        // `start` is an offset into the cursor's line, as VS Code's Debug Console uses it.
        let start_column = utf16_len(&before[..start]);
        let prefix_length = utf16_len(prefix);
        let mut names: Vec<String> = Vec::new();
        if let (Some(index), Some(address)) = (&self.thread(thread_id)?.debuggee.index, selector.address) {
            names.extend(
                index
                    .variables()
                    .variables_at(address, selector.inline_depth)
                    .into_iter()
                    .map(|v| v.name)
                    .filter(|n| !n.is_empty()),
            );
        }
        names.extend(RAW_NAMES.iter().map(|n| n.to_string()));
        names.sort();
        names.dedup();
        let targets = names
            .into_iter()
            .filter(|n| n.starts_with(prefix))
            .map(|label| {
                let kind = if label.starts_with('$') {
                    CompletionItemType::Property
                } else {
                    CompletionItemType::Variable
                };
                CompletionItem {
                    label,
                    text: None,
                    ty: Some(kind),
                    start: Some(start_column),
                    length: Some(prefix_length),
                }
            })
            .collect();
        Ok(CompletionsResponse { targets })
    }
}

/// Line `line` (1-based) of the console input, without its line break; the last line when the
/// input has fewer.
fn line_of_input(text: &str, line: u32) -> &str {
    let count = text.split('\n').count();
    let index = usize::try_from(line).unwrap_or(usize::MAX).clamp(1, count) - 1;
    let found = text.split('\n').nth(index).unwrap_or_default();
    found.strip_suffix('\r').unwrap_or(found)
}

#[cfg(test)]
mod tests {
    use super::line_of_input;

    #[test]
    fn the_cursor_line_is_picked_and_clamped() {
        let text = "small +\r\nbi\nlast";
        assert_eq!(line_of_input(text, 1), "small +");
        assert_eq!(line_of_input(text, 2), "bi");
        assert_eq!(line_of_input(text, 0), "small +");
        assert_eq!(line_of_input(text, u32::MAX), "last");
        assert_eq!(line_of_input("", 3), "");
    }
}
