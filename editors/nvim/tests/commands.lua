-- Headless test of the commands: the code lens handlers, :QirvoRun (a real `qirvo run` of
-- examples/hello in a terminal), :QirvoDebug and the nvim-dap registration (against a
-- recording stand-in for nvim-dap, which is not installed here), and the message a missing
-- binary gives.
--
--   QIRVO_BIN=target/debug/qirvo nvim --headless -u NONE -c "luafile editors/nvim/tests/commands.lua"

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local t = dofile(here .. '/support.lua')
local check = t.check

--- Records what the plugin asks of nvim-dap; the fields are the ones nvim-dap documents.
local function fake_dap()
  local dap = { adapters = {}, configurations = {}, runs = {} }
  function dap.run(configuration)
    table.insert(dap.runs, configuration)
  end
  package.loaded['dap'] = dap
  return dap
end

local function main()
  local binary = t.binary()
  local hello = t.repo .. '/examples/hello/manifest.json'
  local dap = fake_dap()
  dap.configurations.rust = { { type = 'codelldb', name = 'mine' } }

  local qirvo = require('qirvo')
  local options = { cmd = { binary }, dap_filetypes = { 'rust', 'json' } }
  qirvo.setup(options)
  qirvo.setup(options) -- a second setup() must not add the configurations twice

  -- The adapter: `qirvo dap`, looked up when a session starts.
  check(type(dap.adapters.qirvo) == 'function', 'the qirvo adapter is registered')
  local adapter
  dap.adapters.qirvo(function(a)
    adapter = a
  end)
  check(vim.deep_equal(adapter, { type = 'executable', command = binary, args = { 'dap' } }), vim.inspect(adapter))

  -- Configurations are added next to the user's, once.
  local names = {}
  for _, c in ipairs(dap.configurations.rust) do
    table.insert(names, c.name)
  end
  check(
    vim.deep_equal(names, { 'mine', 'Qirvo: debug plugin', 'Qirvo: debug plugin (stop on entry)' }),
    vim.inspect(names)
  )
  check(#dap.configurations.json == 2, 'json gets the two qirvo configurations')
  check(dap.configurations.rust[3].stopOnEntry == true, 'the second one stops on entry')

  -- From a source file, "the current manifest" is the nearest one above it.
  vim.cmd('edit ' .. vim.fn.fnameescape(t.repo .. '/examples/hello/src/lib.rs'))
  check(dap.configurations.rust[2].manifest() == hello, 'the manifest above src/lib.rs')

  -- :QirvoDebug and the Debug lens launch the manifest, the same shape as VS Code's qirvo.debug.
  local expected = {
    type = 'qirvo',
    request = 'launch',
    name = 'Debug manifest.json',
    manifest = hello,
    cwd = t.repo .. '/examples/hello',
  }
  vim.cmd('QirvoDebug')
  check(vim.deep_equal(dap.runs[1], expected), ':QirvoDebug runs ' .. vim.inspect(dap.runs[1]))
  vim.lsp.commands['qirvo.debug']({ title = 'Debug', command = 'qirvo.debug', arguments = { hello } }, {})
  check(vim.deep_equal(dap.runs[2], expected), 'the lens runs ' .. vim.inspect(dap.runs[2]))

  -- The Run lens: `qirvo run <manifest>` in a terminal, which shows the plugin's output.
  vim.lsp.commands['qirvo.run']({ title = 'Run', command = 'qirvo.run', arguments = { hello } }, {})
  local job = vim.b.terminal_job_id
  check(job ~= nil, 'the Run lens opened a terminal')
  local terminal = vim.api.nvim_get_current_buf()
  check(vim.fn.jobwait({ job }, t.TIMEOUT)[1] == 0, 'qirvo run exits 0')
  local text
  check(vim.wait(t.TIMEOUT, function()
    text = table.concat(vim.api.nvim_buf_get_lines(terminal, 0, -1, false), '\n')
    return text:find('Hello, world!', 1, true) ~= nil
  end, 50), 'the terminal shows the plugin output:\n' .. tostring(text))
  check(text:find('[dev.qirvo.examples.hello] info: stop', 1, true), text)

  -- Without a binary, a message says what to do.
  local messages = {}
  vim.notify = function(message)
    table.insert(messages, message)
  end
  qirvo.setup({ cmd = { '/nonexistent/qirvo' }, dap = false })
  vim.cmd('QirvoRun ' .. vim.fn.fnameescape(hello))
  check(#messages == 1, 'one message: ' .. vim.inspect(messages))
  check(messages[1]:find('/nonexistent/qirvo', 1, true) and messages[1]:find('cmd = {', 1, true), messages[1])
end

t.run('nvim commands', main)
