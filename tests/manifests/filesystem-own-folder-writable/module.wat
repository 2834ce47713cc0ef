(module
  (import "qirvo" "log" (func (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "qirvo_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "qirvo_initialize") (result i32) i32.const 0)
  (func (export "qirvo_start") (result i32) i32.const 0)
  (func (export "qirvo_stop") (result i32) i32.const 0))
