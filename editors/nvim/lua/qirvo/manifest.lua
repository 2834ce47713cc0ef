-- Which files are plugin manifests, the manifest a buffer belongs to, and a manifest's root.

local config = require('qirvo.config')

local M = {}

--- Whether `path` is named like a manifest: `manifest.json` or `*.qirvo.json` (the names
--- `qirvo lsp` and `qirvo check` look at).
function M.is_manifest(path)
  if path == nil or path == '' then
    return false
  end
  local name = vim.fn.fnamemodify(path, ':t')
  return name == 'manifest.json' or (name:match('^.+%.qirvo%.json$') ~= nil)
end

--- The manifest for buffer `bufnr` (default: current): the buffer itself if it is one, else
--- the nearest manifest.json or *.qirvo.json in its folder or a folder above. nil if none.
function M.for_buffer(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr or 0)
  if M.is_manifest(name) then
    return vim.fn.fnamemodify(name, ':p')
  end
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  while dir ~= nil and dir ~= '' do
    local candidate = dir .. '/manifest.json'
    if vim.loop.fs_stat(candidate) then
      return candidate
    end
    local named = vim.fn.glob(dir .. '/*.qirvo.json', true, true)
    if #named > 0 then
      table.sort(named)
      return named[1]
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      break
    end
    dir = parent
  end
  return nil
end

--- The root of a manifest's language server: the nearest folder above it holding one of the
--- `root_markers`, else the manifest's folder.
function M.root(path)
  local start = vim.fn.fnamemodify(path, ':p:h')
  local dir = start
  while true do
    for _, marker in ipairs(config.options.root_markers or {}) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return start
    end
    dir = parent
  end
end

return M
