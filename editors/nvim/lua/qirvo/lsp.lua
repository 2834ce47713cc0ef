-- `qirvo lsp` for manifest buffers: one client per root, started with vim.lsp.start_client
-- and attached with vim.lsp.buf_attach_client (both in Neovim 0.7).

local config = require('qirvo.config')
local manifest = require('qirvo.manifest')

local M = {}

--- Client ids by root folder.
M.clients = {}

local warned = false

local function notify_once(message)
  if not warned then
    warned = true
    vim.notify(message, vim.log.levels.ERROR)
  end
end

--- Answers workspace/configuration from the current setup options, so settings changed with
--- require('qirvo').set_settings() are what the server reads next.
local function configuration(_, result)
  local answers = {}
  for _, item in ipairs((result and result.items) or {}) do
    table.insert(answers, config.section(item.section))
  end
  return answers
end

local function capabilities()
  local caps = config.options.capabilities or vim.lsp.protocol.make_client_capabilities()
  caps = vim.deepcopy(caps)
  caps.workspace = caps.workspace or {}
  -- Neovim 0.7 answers workspace/configuration but does not say so; the server asks only
  -- clients that do.
  caps.workspace.configuration = true
  caps.workspace.didChangeConfiguration = caps.workspace.didChangeConfiguration or { dynamicRegistration = false }
  return caps
end

local function on_attach(client, bufnr)
  if config.options.codelens and client.server_capabilities.codeLensProvider then
    local group = vim.api.nvim_create_augroup('qirvo_codelens_' .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = group,
      buffer = bufnr,
      callback = function()
        vim.lsp.codelens.refresh()
      end,
    })
    if vim.api.nvim_get_current_buf() == bufnr then
      vim.lsp.codelens.refresh()
    end
  end
  if config.options.on_attach then
    config.options.on_attach(client, bufnr)
  end
end

local function running(id)
  local client = id and vim.lsp.get_client_by_id(id)
  return client ~= nil and not client.is_stopped()
end

--- The client for `root`, started if there is none. nil (after saying why) without a binary.
function M.client_for(root)
  local existing = M.clients[root]
  if running(existing) then
    return existing
  end
  local cmd, problem = config.command('lsp')
  if cmd == nil then
    notify_once(problem)
    return nil
  end
  local id = vim.lsp.start_client({
    name = 'qirvo',
    cmd = cmd,
    root_dir = root,
    capabilities = capabilities(),
    -- Read before the first diagnostics, so they already use the user's severities.
    init_options = config.section('qirvo'),
    settings = config.json_object(config.options.settings),
    handlers = { ['workspace/configuration'] = configuration },
    on_attach = on_attach,
    on_exit = function()
      if M.clients[root] == id then
        M.clients[root] = nil
      end
    end,
  })
  M.clients[root] = id
  return id
end

--- Attaches buffer `bufnr` to its root's client when it is a manifest. Returns the client id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local name = vim.api.nvim_buf_get_name(bufnr)
  if not config.options.lsp or not manifest.is_manifest(name) then
    return nil
  end
  local id = M.client_for(manifest.root(name))
  if id ~= nil then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Tells running clients that the settings changed; the server then asks for them again.
function M.settings_changed()
  for _, id in pairs(M.clients) do
    local client = vim.lsp.get_client_by_id(id)
    if client ~= nil then
      client.notify('workspace/didChangeConfiguration', { settings = config.json_object(config.options.settings) })
    end
  end
end

return M
