//! What several benches build: a realistic plugin module of a chosen size.

use wasm_encoder::{
    CodeSection, CustomSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    Instruction, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// A manifest that uses every section; `main` is `plugin.wasm`, which imports `qirvo.log`,
/// storage, `http_request` and `notify`.
pub const TYPICAL_MANIFEST: &str = r#"{
  "manifest_version": 1,
  "id": "com.example.weather",
  "name": "Weather",
  "version": "1.4.2",
  "description": "Shows the weather for the user's city on the dashboard.",
  "type": "service",
  "author": "Ann Example <ann@example.com>",
  "category": "utilities",
  "main": "plugin.wasm",
  "permissions": ["storage-read", "storage-write", "network-access", "notifications"],
  "network": { "allowed_hosts": ["api.weather.example.com", "*.cdn.example.com"], "timeout": "5s" },
  "resources": { "memory": "64MB", "timeout": 5000, "cpu": 50, "storage": "1MB", "max_connections": 2 },
  "events": ["timer.tick", "user/login"],
  "config": { "city": "Oslo", "units": "metric" }
}
"#;

/// A module of about `size` bytes: the imports and exports of a real plugin, ~60% code in
/// 4000 functions and the rest in `.debug_*` sections, as a Rust plugin built with `-g` has.
pub fn plugin_module(size: usize) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32, ValType::I32, ValType::I32], []); // 0 log
    types.ty().function([ValType::I32, ValType::I32], [ValType::I64]); // 1 get / http
    types.ty().function([ValType::I32; 4], [ValType::I32]); // 2 set / notify / on_event
    types.ty().function([], [ValType::I32]); // 3 lifecycle
    types.ty().function([ValType::I32], [ValType::I32]); // 4 alloc and bodies
    let mut imports = ImportSection::new();
    for (name, ty) in [
        ("log", 0),
        ("storage_get", 1),
        ("storage_set", 2),
        ("http_request", 1),
        ("notify", 2),
    ] {
        imports.import("qirvo", name, EntityType::Function(ty));
    }
    imports.import("wasi_snapshot_preview1", "fd_write", EntityType::Function(2));
    let imported = 6;
    let bodies = 4000u32;
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let body_len = size * 6 / 10 / bodies as usize;
    for _ in 0..bodies {
        functions.function(4);
        let mut f = Function::new([(1, ValType::I32)]);
        // local.get 0; i32.const N; i32.add; local.set 1 … ≈ 8 bytes per step.
        for step in 0..body_len / 8 {
            f.instruction(&Instruction::LocalGet(0));
            f.instruction(&Instruction::I32Const(step as i32 + 1000));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::LocalSet(1));
        }
        f.instruction(&Instruction::LocalGet(1));
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    for _ in 0..5 {
        functions.function(3);
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(0));
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    functions.function(2);
    let mut on_event = Function::new([]);
    on_event.instruction(&Instruction::I32Const(0));
    on_event.instruction(&Instruction::End);
    code.function(&on_event);
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 17,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 0);
    exports.export("qirvo_alloc", ExportKind::Func, imported);
    let lifecycle = imported + bodies;
    for (offset, name) in ["qirvo_initialize", "qirvo_start", "qirvo_stop", "qirvo_health_check"]
        .iter()
        .enumerate()
    {
        exports.export(name, ExportKind::Func, lifecycle + offset as u32);
    }
    exports.export("qirvo_on_event", ExportKind::Func, lifecycle + 5);
    let mut module = Module::new();
    module.section(&types);
    module.section(&imports);
    module.section(&functions);
    module.section(&memory);
    module.section(&exports);
    module.section(&code);
    let so_far = module.clone().finish().len();
    let debug = vec![0x5a; size.saturating_sub(so_far) / 4];
    for name in [".debug_info", ".debug_line", ".debug_str", ".debug_abbrev"] {
        module.section(&CustomSection {
            name: name.into(),
            data: debug.as_slice().into(),
        });
    }
    module.finish()
}
