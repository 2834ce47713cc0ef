//! Golden JSON: each body as the specification spells it, byte for byte (key spelling, key
//! order as declared, optional fields left out, enum strings with their spaces).

use super::*;

#[track_caller]
fn golden(body: &impl Serialize, expected: &str) {
    assert_eq!(serde_json::to_string(body).unwrap(), expected);
}

fn source() -> Source {
    Source::at_path("/src/lib.rs".into())
}

#[test]
fn sources_take_their_name_from_the_path_and_omit_what_is_unset() {
    golden(&source(), r#"{"name":"lib.rs","path":"/src/lib.rs"}"#);
    golden(
        &Source {
            source_reference: Some(3),
            ..Source::default()
        },
        r#"{"sourceReference":3}"#,
    );
}

#[test]
fn capabilities() {
    let capabilities = Capabilities {
        supports_configuration_done_request: Some(true),
        supports_log_points: Some(true),
        supports_step_in_targets_request: Some(false),
        exception_breakpoint_filters: vec![ExceptionBreakpointsFilter {
            filter: "trap".into(),
            label: "Traps".into(),
            description: None,
            default: Some(true),
            supports_condition: None,
        }],
        ..Capabilities::default()
    };
    golden(
        &capabilities,
        r#"{"supportsConfigurationDoneRequest":true,"supportsLogPoints":true,"supportsStepInTargetsRequest":false,"exceptionBreakpointFilters":[{"filter":"trap","label":"Traps","default":true}]}"#,
    );
    golden(&Capabilities::default(), "{}");
}

#[test]
fn threads_and_stack_traces() {
    golden(
        &ThreadsResponse {
            threads: vec![Thread {
                id: 1,
                name: "hello".into(),
            }],
        },
        r#"{"threads":[{"id":1,"name":"hello"}]}"#,
    );
    let frames = StackTraceResponse {
        stack_frames: vec![
            StackFrame {
                id: 1,
                name: "main".into(),
                source: Some(source()),
                line: 4,
                column: 1,
                instruction_pointer_reference: Some("0x2a".into()),
                presentation_hint: Some(StackFramePresentationHint::Normal),
            },
            StackFrame {
                id: 2,
                name: "wasm function 3".into(),
                source: None,
                line: 0,
                column: 0,
                instruction_pointer_reference: None,
                presentation_hint: Some(StackFramePresentationHint::Subtle),
            },
        ],
        total_frames: Some(2),
    };
    golden(
        &frames,
        concat!(
            r#"{"stackFrames":[{"id":1,"name":"main","source":{"name":"lib.rs","path":"/src/lib.rs"},"line":4,"column":1,"instructionPointerReference":"0x2a","presentationHint":"normal"},"#,
            r#"{"id":2,"name":"wasm function 3","line":0,"column":0,"presentationHint":"subtle"}],"totalFrames":2}"#
        ),
    );
    golden(&StackFramePresentationHint::Label, r#""label""#);
}

#[test]
fn scopes() {
    let scope = |hint| Scope {
        name: "Locals".into(),
        presentation_hint: hint,
        variables_reference: 1,
        named_variables: None,
        indexed_variables: None,
        expensive: false,
    };
    golden(
        &ScopesResponse {
            scopes: vec![scope(Some(ScopePresentationHint::Locals)), scope(None)],
        },
        r#"{"scopes":[{"name":"Locals","presentationHint":"locals","variablesReference":1,"expensive":false},{"name":"Locals","variablesReference":1,"expensive":false}]}"#,
    );
    golden(&ScopePresentationHint::ReturnValue, r#""returnValue""#);
    golden(&ScopePresentationHint::Registers, r#""registers""#);
}

#[test]
fn variables() {
    let variable = Variable {
        name: "p".into(),
        value: "0x10".into(),
        ty: Some("*const u8".into()),
        presentation_hint: None,
        evaluate_name: Some("p".into()),
        variables_reference: 7,
        named_variables: None,
        indexed_variables: Some(3),
        memory_reference: Some("0x10".into()),
    };
    golden(
        &VariablesResponse {
            variables: vec![variable],
        },
        r#"{"variables":[{"name":"p","value":"0x10","type":"*const u8","evaluateName":"p","variablesReference":7,"indexedVariables":3,"memoryReference":"0x10"}]}"#,
    );
    golden(
        &VariablePresentationHint {
            kind: Some(VariableKind::MostDerivedClass),
            attributes: vec!["readOnly".into()],
            ..VariablePresentationHint::default()
        },
        r#"{"kind":"mostDerivedClass","attributes":["readOnly"]}"#,
    );
    golden(&VariablePresentationHint::default(), "{}");
}

#[test]
fn evaluate_and_set_variable() {
    golden(
        &EvaluateResponse {
            result: "3".into(),
            ty: Some("i32".into()),
            presentation_hint: None,
            variables_reference: 0,
            named_variables: None,
            indexed_variables: None,
            memory_reference: None,
        },
        r#"{"result":"3","type":"i32","variablesReference":0}"#,
    );
    golden(
        &SetVariableResponse {
            value: "4".into(),
            ty: Some("i32".into()),
            variables_reference: Some(0),
            named_variables: None,
            indexed_variables: None,
            memory_reference: None,
        },
        r#"{"value":"4","type":"i32","variablesReference":0}"#,
    );
}

#[test]
fn completions() {
    golden(
        &CompletionsResponse {
            targets: vec![CompletionItem {
                label: "$local0".into(),
                text: None,
                ty: Some(CompletionItemType::Property),
                start: Some(0),
                length: Some(2),
            }],
        },
        r#"{"targets":[{"label":"$local0","type":"property","start":0,"length":2}]}"#,
    );
    golden(&CompletionItemType::Customcolor, r#""customcolor""#);
}

#[test]
fn breakpoints_and_exceptions() {
    let verified = Breakpoint {
        id: Some(1),
        verified: true,
        message: None,
        source: Some(Source {
            path: Some("/src/lib.rs".into()),
            ..Source::default()
        }),
        line: Some(5),
        column: None,
    };
    let refused = Breakpoint {
        id: None,
        verified: false,
        message: Some("no function named `f` in the loaded plugins".into()),
        source: None,
        line: None,
        column: None,
    };
    golden(
        &SetBreakpointsResponse {
            breakpoints: vec![verified, refused],
        },
        r#"{"breakpoints":[{"id":1,"verified":true,"source":{"path":"/src/lib.rs"},"line":5},{"verified":false,"message":"no function named `f` in the loaded plugins"}]}"#,
    );
    golden(
        &ExceptionInfoResponse {
            exception_id: "Trap".into(),
            description: Some("wasm trap: unreachable".into()),
            break_mode: ExceptionBreakMode::Always,
        },
        r#"{"exceptionId":"Trap","description":"wasm trap: unreachable","breakMode":"always"}"#,
    );
    golden(&ExceptionBreakMode::UserUnhandled, r#""userUnhandled""#);
    golden(
        &ContinueResponse {
            all_threads_continued: Some(false),
        },
        r#"{"allThreadsContinued":false}"#,
    );
}

#[test]
fn memory_and_disassembly() {
    golden(
        &ReadMemoryResponse {
            address: "0x10".into(),
            unreadable_bytes: Some(0),
            data: Some("AAE=".into()),
        },
        r#"{"address":"0x10","unreadableBytes":0,"data":"AAE="}"#,
    );
    golden(
        &WriteMemoryResponse {
            offset: Some(0),
            bytes_written: Some(2),
        },
        r#"{"offset":0,"bytesWritten":2}"#,
    );
    let instructions = DisassembleResponse {
        instructions: vec![
            DisassembledInstruction {
                address: "0x2a".into(),
                instruction: "local.get 0".into(),
                symbol: Some("main".into()),
                location: Some(source()),
                line: Some(4),
                presentation_hint: None,
            },
            DisassembledInstruction {
                address: "0x0".into(),
                instruction: String::new(),
                symbol: None,
                location: None,
                line: None,
                presentation_hint: Some(InstructionPresentationHint::Invalid),
            },
        ],
    };
    golden(
        &instructions,
        concat!(
            r#"{"instructions":[{"address":"0x2a","instruction":"local.get 0","symbol":"main","location":{"name":"lib.rs","path":"/src/lib.rs"},"line":4},"#,
            r#"{"address":"0x0","instruction":"","presentationHint":"invalid"}]}"#
        ),
    );
}

#[test]
fn sources_and_modules() {
    golden(
        &LoadedSourcesResponse {
            sources: vec![source()],
        },
        r#"{"sources":[{"name":"lib.rs","path":"/src/lib.rs"}]}"#,
    );
    golden(
        &SourceResponse {
            content: "fn main() {}\n".into(),
            mime_type: None,
        },
        r#"{"content":"fn main() {}\n"}"#,
    );
    let module = Module {
        id: 1,
        name: "hello".into(),
        path: Some("/p/hello.wasm".into()),
        symbol_status: Some("Symbols loaded.".into()),
    };
    golden(
        &ModulesResponse {
            modules: vec![module.clone()],
            total_modules: Some(1),
        },
        r#"{"modules":[{"id":1,"name":"hello","path":"/p/hello.wasm","symbolStatus":"Symbols loaded."}],"totalModules":1}"#,
    );
    golden(
        &ModuleEvent {
            reason: ChangeReason::New,
            module,
        },
        r#"{"reason":"new","module":{"id":1,"name":"hello","path":"/p/hello.wasm","symbolStatus":"Symbols loaded."}}"#,
    );
    golden(
        &LoadedSourceEvent {
            reason: ChangeReason::Removed,
            source: source(),
        },
        r#"{"reason":"removed","source":{"name":"lib.rs","path":"/src/lib.rs"}}"#,
    );
}

#[test]
fn error_messages() {
    golden(
        &ErrorResponse {
            error: Some(Message {
                id: 12,
                format: "thread 1 is not stopped".into(),
                show_user: Some(false),
            }),
        },
        r#"{"error":{"id":12,"format":"thread 1 is not stopped","showUser":false}}"#,
    );
}

#[test]
fn stopped_reasons_are_spelt_as_the_specification_spells_them() {
    let spelt: Vec<String> = StoppedReason::ALL
        .iter()
        .map(|reason| serde_json::to_string(reason).unwrap())
        .collect();
    assert_eq!(
        spelt,
        [
            r#""step""#,
            r#""breakpoint""#,
            r#""exception""#,
            r#""pause""#,
            r#""entry""#,
            r#""goto""#,
            r#""function breakpoint""#,
            r#""data breakpoint""#,
            r#""instruction breakpoint""#,
        ]
    );
    for reason in StoppedReason::ALL {
        assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
    }
}

#[test]
fn events() {
    golden(
        &StoppedEvent {
            reason: StoppedReason::FunctionBreakpoint,
            description: None,
            thread_id: Some(1),
            preserve_focus_hint: None,
            text: None,
            all_threads_stopped: Some(false),
            hit_breakpoint_ids: Vec::new(),
        },
        r#"{"reason":"function breakpoint","threadId":1,"allThreadsStopped":false}"#,
    );
    golden(
        &StoppedEvent {
            reason: StoppedReason::Exception,
            description: Some("Trap".into()),
            thread_id: Some(2),
            preserve_focus_hint: None,
            text: Some("wasm trap: unreachable".into()),
            all_threads_stopped: Some(false),
            hit_breakpoint_ids: vec![4],
        },
        r#"{"reason":"exception","description":"Trap","threadId":2,"text":"wasm trap: unreachable","allThreadsStopped":false,"hitBreakpointIds":[4]}"#,
    );
    golden(
        &OutputEvent::new(OutputCategory::Stderr, "oops\n"),
        r#"{"category":"stderr","output":"oops\n"}"#,
    );
    golden(&OutputCategory::Important, r#""important""#);
    golden(
        &BreakpointEvent {
            reason: ChangeReason::Changed,
            breakpoint: Breakpoint {
                id: Some(3),
                verified: false,
                message: Some("no plugin is loaded yet".into()),
                source: None,
                line: Some(9),
                column: None,
            },
        },
        r#"{"reason":"changed","breakpoint":{"id":3,"verified":false,"message":"no plugin is loaded yet","line":9}}"#,
    );
    golden(
        &ThreadEvent {
            reason: ThreadReason::Started,
            thread_id: 1,
        },
        r#"{"reason":"started","threadId":1}"#,
    );
    golden(&ThreadReason::Exited, r#""exited""#);
    golden(&ExitedEvent { exit_code: 3 }, r#"{"exitCode":3}"#);
    golden(&TerminatedEvent::default(), "{}");
    golden(&InitializedEvent {}, "{}");
    golden(
        &InvalidatedEvent {
            areas: vec![InvalidatedAreas::Variables],
            thread_id: Some(1),
            stack_frame_id: None,
        },
        r#"{"areas":["variables"],"threadId":1}"#,
    );
    golden(
        &MemoryEvent {
            memory_reference: "0x10".into(),
            offset: -2,
            count: 4,
        },
        r#"{"memoryReference":"0x10","offset":-2,"count":4}"#,
    );
}

#[test]
fn events_are_named_as_the_specification_names_them() {
    let names = [
        StoppedEvent::EVENT,
        OutputEvent::EVENT,
        BreakpointEvent::EVENT,
        ThreadEvent::EVENT,
        ExitedEvent::EVENT,
        TerminatedEvent::EVENT,
        InitializedEvent::EVENT,
        ModuleEvent::EVENT,
        LoadedSourceEvent::EVENT,
        InvalidatedEvent::EVENT,
        MemoryEvent::EVENT,
    ];
    assert_eq!(
        names,
        [
            "stopped",
            "output",
            "breakpoint",
            "thread",
            "exited",
            "terminated",
            "initialized",
            "module",
            "loadedSource",
            "invalidated",
            "memory"
        ]
    );
}
