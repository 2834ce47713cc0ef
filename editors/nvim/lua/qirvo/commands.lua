-- `qirvo run` in a terminal and `qirvo check` into the quickfix list.

local config = require('qirvo.config')
local manifest = require('qirvo.manifest')

local M = {}

local function target(path)
  if path ~= nil and path ~= '' then
    return vim.fn.fnamemodify(vim.fn.expand(path), ':p')
  end
  return manifest.for_buffer(0)
end

--- Runs `qirvo run <manifest>` in a terminal split (default: the current buffer's manifest).
function M.run(path)
  local file = target(path)
  if file == nil then
    vim.notify('qirvo: no plugin manifest here; open one or pass its path', vim.log.levels.ERROR)
    return nil
  end
  local cmd, problem = config.command('run', file)
  if cmd == nil then
    vim.notify(problem, vim.log.levels.ERROR)
    return nil
  end
  vim.cmd('botright 12new')
  -- The plugin's folder, as on a terminal there: relative paths it prints read the same.
  return vim.fn.termopen(cmd, { cwd = vim.fn.fnamemodify(file, ':h') })
end

--- The quickfix items of `qirvo check --format json` output.
function M.quickfix_items(report)
  local items = {}
  for _, file in ipairs(report.files or {}) do
    for _, d in ipairs(file.diagnostics or {}) do
      table.insert(items, {
        filename = d.file or file.path,
        lnum = d.line or 1,
        -- The JSON counts characters; quickfix counts bytes unless told otherwise.
        col = d.column or 1,
        vcol = 1,
        type = ({ error = 'E', warning = 'W', hint = 'N', information = 'I' })[d.severity] or 'E',
        text = string.format('[%s] %s', d.code, d.message),
      })
    end
  end
  return items
end

--- Checks `path` (a manifest or a folder; default: the current buffer's manifest, else the
--- working directory) and fills the quickfix list. Calls `done(items)` when finished.
function M.check(path, done)
  local file = target(path) or vim.fn.getcwd()
  local cmd, problem = config.command('check', '--format', 'json', '--color', 'never', file)
  if cmd == nil then
    vim.notify(problem, vim.log.levels.ERROR)
    return nil
  end
  local stdout, stderr = {}, {}
  return vim.fn.jobstart(cmd, {
    stdout_buffered = true,
    stderr_buffered = true,
    on_stdout = function(_, data)
      stdout = data
    end,
    on_stderr = function(_, data)
      stderr = data
    end,
    on_exit = function(_, status)
      -- 0: no errors, 1: errors found, 2: a path could not be read (said on stderr).
      local ok, report = pcall(vim.json.decode, table.concat(stdout, '\n'))
      if status > 1 or not ok then
        vim.notify('qirvo check: ' .. vim.trim(table.concat(stderr, '\n')), vim.log.levels.ERROR)
        return
      end
      local items = M.quickfix_items(report)
      vim.fn.setqflist({}, ' ', { title = 'qirvo check ' .. file, items = items })
      if #items > 0 then
        vim.cmd('copen')
      else
        vim.notify('qirvo check: no problems in ' .. file)
      end
      if done then
        done(items)
      end
    end,
  })
end

return M
