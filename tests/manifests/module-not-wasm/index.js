not a wasm module; a JavaScript entry
