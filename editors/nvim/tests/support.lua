-- Shared by the headless tests: paths, the qirvo binary, assertions, and an exit status that
-- scripts can trust (`cquit` on any failure, including errors the test did not foresee).

local M = {}

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
M.plugin_dir = vim.fn.fnamemodify(here, ':h')
M.repo = vim.fn.fnamemodify(M.plugin_dir, ':h:h')
M.TIMEOUT = 30000

--- $QIRVO_BIN, else the repository's debug build; fails clearly when it is not executable.
function M.binary()
  local binary = vim.env.QIRVO_BIN
  if binary == nil or binary == '' then
    binary = M.repo .. '/target/debug/qirvo'
  end
  binary = vim.fn.fnamemodify(binary, ':p')
  M.check(
    vim.fn.executable(binary) == 1,
    'the qirvo binary ' .. binary .. ' is not executable: build it with `cargo build` or set QIRVO_BIN'
  )
  return binary
end

function M.check(condition, message)
  if not condition then
    error(message, 2)
  end
  return condition
end

function M.write(path, text)
  local file = assert(io.open(path, 'wb'))
  file:write(text)
  file:close()
end

function M.copy(from, to)
  local source = assert(io.open(from, 'rb'))
  local bytes = source:read('*a')
  source:close()
  M.write(to, bytes)
end

--- Exit status of a test that ran none of its checks (editors/test.sh counts it as skipped).
M.SKIPPED = 77

--- Ends the test as skipped, saying why: nothing it needs is there to test.
function M.skip(reason)
  error({ skipped = reason })
end

--- Runs `main`, then quits: status 0 when it returned, 1 (with the traceback) when it failed,
--- M.SKIPPED when it called M.skip().
function M.run(name, main)
  vim.opt.runtimepath:prepend(M.plugin_dir)
  local ok, err = xpcall(main, debug.traceback)
  if not ok and type(err) == 'table' and err.skipped then
    io.stdout:write(name .. ': skipped: ' .. err.skipped .. '\n')
    vim.cmd('cquit ' .. M.SKIPPED)
  elseif not ok then
    io.stderr:write(name .. ': FAIL: ' .. tostring(err) .. '\n')
    vim.cmd('cquit 1')
  else
    io.stdout:write(name .. ': all checks passed\n')
    vim.cmd('qall!')
  end
end

return M
