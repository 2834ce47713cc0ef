-- qirvo for Neovim (0.7+): `qirvo lsp` on plugin manifests, the `qirvo` nvim-dap adapter,
-- :QirvoRun, :QirvoDebug, :QirvoCheck, and the server's Run/Debug code lens commands.
-- See :help qirvo.

local commands = require('qirvo.commands')
local config = require('qirvo.config')
local dap = require('qirvo.dap')
local lsp = require('qirvo.lsp')
local manifest = require('qirvo.manifest')

local M = {}

M.run = commands.run
M.check = commands.check
M.debug = dap.debug
M.attach = lsp.attach
M.is_manifest = manifest.is_manifest

--- Replaces the `settings` table and tells running servers, which re-check open manifests.
function M.set_settings(settings)
  config.options.settings = settings
  lsp.settings_changed()
end

--- The code lenses send `qirvo.run` / `qirvo.debug` with one argument: the manifest's path.
local function lens_argument(command)
  return command and command.arguments and command.arguments[1] or nil
end

local function on_manifest(bufnr)
  vim.b[bufnr].qirvo_manifest = true
  -- Manifests stay JSON for highlighting and other tools; with filetype detection off
  -- (`nvim -u NONE`) they would have none.
  if vim.api.nvim_buf_get_option(bufnr, 'filetype') == '' then
    vim.api.nvim_buf_set_option(bufnr, 'filetype', 'json')
  end
  lsp.attach(bufnr)
end

function M.setup(options)
  config.set(options)

  vim.lsp.commands['qirvo.run'] = function(command)
    commands.run(lens_argument(command))
  end
  vim.lsp.commands['qirvo.debug'] = function(command)
    dap.debug(lens_argument(command))
  end

  local group = vim.api.nvim_create_augroup('qirvo', { clear = true })
  -- By file name, like the server: `manifest.json` anywhere and `*.qirvo.json`.
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = { 'manifest.json', '*.qirvo.json' },
    callback = function(args)
      on_manifest(args.buf)
    end,
  })

  vim.api.nvim_create_user_command('QirvoRun', function(args)
    commands.run(args.args)
  end, { nargs = '?', complete = 'file', desc = 'qirvo run MANIFEST in a terminal' })
  vim.api.nvim_create_user_command('QirvoDebug', function(args)
    dap.debug(args.args ~= '' and vim.fn.fnamemodify(vim.fn.expand(args.args), ':p') or nil)
  end, { nargs = '?', complete = 'file', desc = 'Debug a plugin with nvim-dap' })
  vim.api.nvim_create_user_command('QirvoCheck', function(args)
    commands.check(args.args)
  end, { nargs = '?', complete = 'file', desc = 'qirvo check into the quickfix list' })

  if config.options.dap then
    dap.register()
  end

  -- Manifests opened before setup() ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and manifest.is_manifest(vim.api.nvim_buf_get_name(bufnr)) then
      on_manifest(bufnr)
    end
  end
  return M
end

return M
