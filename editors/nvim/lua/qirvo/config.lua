-- Options of require('qirvo').setup() and finding the qirvo executable.

local M = {}

M.defaults = {
  -- The qirvo executable, with any leading arguments: a string or a list. `lsp`, `dap`, `run`
  -- and `check` are appended to it.
  cmd = { 'qirvo' },
  -- Sent to the server through workspace/configuration (and initializationOptions), e.g.
  -- { qirvo = { maximums = { memory = '4GiB' }, diagnostics = { severity = { Q0505 = 'off' } } } }
  settings = { qirvo = {} },
  -- A manifest's client is shared by every manifest under the same root: the nearest folder
  -- above it containing one of these, else the manifest's own folder.
  root_markers = { '.git' },
  -- Start `qirvo lsp` for manifests.
  lsp = true,
  -- Show the server's Run/Debug code lenses (refreshed on enter, leaving insert and write).
  codelens = true,
  -- Register the `qirvo` adapter and configurations with nvim-dap when it is installed.
  dap = true,
  -- Filetypes whose nvim-dap configurations get the qirvo entries.
  dap_filetypes = { 'rust', 'c', 'cpp', 'json' },
  -- Called as on_attach(client, bufnr) for each manifest buffer.
  on_attach = nil,
  -- LSP client capabilities (default: vim.lsp.protocol.make_client_capabilities()).
  capabilities = nil,
}

M.options = vim.deepcopy(M.defaults)

function M.set(options)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), options or {})
  if type(M.options.cmd) == 'string' then
    M.options.cmd = { M.options.cmd }
  end
  return M.options
end

local INSTALL_HINT = 'install it with `cargo install --path . --locked` in a clone of the qirvo repository, '
  .. "or pass its path: require('qirvo').setup({ cmd = { '/path/to/qirvo' } })"

--- The command line `qirvo <subcommand...>`, or nil and a message saying what to do.
function M.command(...)
  local cmd = vim.deepcopy(M.options.cmd)
  local binary = cmd[1]
  if binary == nil or binary == '' then
    return nil, 'qirvo: `cmd` is empty; ' .. INSTALL_HINT
  end
  binary = vim.fn.expand(binary)
  if vim.fn.executable(binary) ~= 1 then
    -- Neovim started from a desktop often lacks ~/.cargo/bin on PATH.
    local cargo = (vim.env.CARGO_HOME or (vim.loop.os_homedir() .. '/.cargo')) .. '/bin/' .. binary
    if not binary:find('/', 1, true) and vim.fn.executable(cargo) == 1 then
      binary = cargo
    else
      return nil, string.format('qirvo: cannot run `%s`: not an executable; %s', binary, INSTALL_HINT)
    end
  end
  cmd[1] = binary
  for _, arg in ipairs({ ... }) do
    table.insert(cmd, arg)
  end
  return cmd
end

--- `value` made safe for JSON: Lua cannot tell `{}` from `[]`, and vim.json writes an empty
--- table as an array, which the server would reject where it expects an object.
function M.json_object(value)
  if type(value) ~= 'table' then
    return value
  end
  if next(value) == nil then
    return vim.empty_dict()
  end
  local copy = {}
  for key, item in pairs(value) do
    copy[key] = M.json_object(item)
  end
  return copy
end

--- The settings value for a `workspace/configuration` section such as `qirvo` or
--- `qirvo.maximums`; vim.NIL when unset.
function M.section(name)
  local value = M.options.settings
  if name == nil or name == '' then
    return M.json_object(value)
  end
  for part in string.gmatch(name, '[^.]+') do
    if type(value) ~= 'table' then
      return vim.NIL
    end
    value = value[part]
  end
  if value == nil then
    return vim.NIL
  end
  return M.json_object(value)
end

return M
