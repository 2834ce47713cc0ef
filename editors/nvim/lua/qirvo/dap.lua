-- nvim-dap integration: the `qirvo` adapter (`qirvo dap` on stdio) and launch configurations.

local config = require('qirvo.config')
local manifest = require('qirvo.manifest')

local M = {}

local function load_dap()
  local ok, dap = pcall(require, 'dap')
  if ok then
    return dap
  end
  return nil
end

--- The manifest to launch: the current buffer's (or the nearest above it), else asked for.
function M.pick_manifest()
  local found = manifest.for_buffer(0)
  if found ~= nil then
    return found
  end
  local answer = vim.fn.input('Plugin manifest: ', vim.fn.getcwd() .. '/manifest.json', 'file')
  return vim.fn.fnamemodify(answer, ':p')
end

--- The launch configuration `:QirvoDebug` and the code lens start for one manifest (the same
--- shape as VS Code's `qirvo.debug`).
function M.configuration_for(path)
  return {
    type = 'qirvo',
    request = 'launch',
    name = 'Debug ' .. vim.fn.fnamemodify(path, ':t'),
    manifest = path,
    cwd = vim.fn.fnamemodify(path, ':h'),
  }
end

--- The configurations added for `dap_filetypes`; `manifest` is resolved when one is started.
function M.default_configurations()
  return {
    {
      type = 'qirvo',
      request = 'launch',
      name = 'Qirvo: debug plugin',
      manifest = M.pick_manifest,
    },
    {
      type = 'qirvo',
      request = 'launch',
      name = 'Qirvo: debug plugin (stop on entry)',
      manifest = M.pick_manifest,
      stopOnEntry = true,
    },
  }
end

--- Registers the adapter and configurations if nvim-dap is installed. Returns whether it is.
function M.register()
  local dap = load_dap()
  if dap == nil then
    return false
  end
  -- A function, so the binary is looked up (and a missing one reported) when debugging starts.
  dap.adapters.qirvo = function(callback)
    local cmd, problem = config.command('dap')
    if cmd == nil then
      vim.notify(problem, vim.log.levels.ERROR)
      return
    end
    callback({ type = 'executable', command = cmd[1], args = vim.list_slice(cmd, 2) })
  end
  for _, filetype in ipairs(config.options.dap_filetypes or {}) do
    dap.configurations[filetype] = dap.configurations[filetype] or {}
    local existing = dap.configurations[filetype]
    for _, configuration in ipairs(M.default_configurations()) do
      -- setup() may run twice: add each entry once.
      local present = false
      for _, entry in ipairs(existing) do
        if entry.type == 'qirvo' and entry.name == configuration.name then
          present = true
        end
      end
      if not present then
        table.insert(existing, configuration)
      end
    end
  end
  return true
end

--- Debugs `path` (default: the current buffer's manifest) with nvim-dap.
function M.debug(path)
  local dap = load_dap()
  if dap == nil then
    vim.notify(
      'qirvo: debugging needs nvim-dap (https://github.com/mfussenegger/nvim-dap); '
        .. 'without it, `qirvo debug MANIFEST --break FILE:LINE` debugs in a terminal',
      vim.log.levels.ERROR
    )
    return false
  end
  M.register()
  path = path or manifest.for_buffer(0)
  if path == nil then
    vim.notify('qirvo: no plugin manifest here; open one or pass its path', vim.log.levels.ERROR)
    return false
  end
  dap.run(M.configuration_for(vim.fn.fnamemodify(path, ':p')))
  return true
end

return M
