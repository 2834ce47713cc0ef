-- Headless test of debugging with the real nvim-dap (0.6.0, vendored at ../shared/vendor; see
-- ../shared/vendor/README.md) against the real `qirvo dap`, registered by
-- require('qirvo').setup() as a user's config would. Two sessions, driven only through
-- nvim-dap's API:
--
--   examples/hello (Rust), started with dap.continue() from src/lib.rs and the plugin's
--   "Qirvo: debug plugin" configuration: a breakpoint, a condition that never holds and a
--   logpoint set with dap.set_breakpoint(); the stop (frame, threads, scopes, the sign and the
--   cursor), evaluate, the REPL, dap.step_over(), the logpoint's output, exited/terminated
--   and the adapter process ending.
--
--   examples/c-variables (C), started with :QirvoDebug: breakpoints put with
--   require('dap.breakpoints').set (a plain one, a condition in a loop, a logpoint); the
--   variables nvim-dap fetched, the hover and scopes widgets, a step, the condition's stop.
--
--   QIRVO_BIN=target/debug/qirvo nvim --headless -u NONE -c "luafile editors/nvim/tests/dap.lua"
--
-- Without nvim-dap at ../shared/vendor/nvim-dap-0.6.0 (or $QIRVO_NVIM_DAP) it says so and exits
-- with status 77, which editors/test.sh counts as skipped.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local t = dofile(here .. '/support.lua')
local check, repo = t.check, t.repo

local function read(path)
  local file = io.open(path, 'rb')
  if file == nil then
    return nil
  end
  local text = file:read('*a')
  file:close()
  return text
end

--- The 1-based line of `path` containing `needle`.
local function line_of(path, needle)
  for number, line in ipairs(vim.fn.readfile(path)) do
    if line:find(needle, 1, true) then
      return number
    end
  end
  error('no ' .. needle .. ' in ' .. path)
end

local function wait_for(what, condition)
  local ok = vim.wait(t.TIMEOUT, condition, 20)
  check(ok, 'timed out (' .. t.TIMEOUT .. ' ms) waiting for ' .. what)
end

--- The pids of `binary dap` processes whose parent is this Neovim (nvim-dap's adapters).
local function adapter_processes(binary)
  local pids = {}
  local me = tostring(vim.fn.getpid())
  for _, name in ipairs(vim.fn.readdir('/proc')) do
    if name:match('^%d+$') then
      local stat = read('/proc/' .. name .. '/stat') or ''
      local state, ppid = stat:match('^%d+ %b() (%a) (%d+)')
      if ppid == me and state ~= 'Z' and read('/proc/' .. name .. '/cmdline') == binary .. '\0dap\0' then
        table.insert(pids, tonumber(name))
      end
    end
  end
  return pids
end

--- Records what goes between nvim-dap and the adapter, through nvim-dap's listeners.
local Recorder = {}
Recorder.__index = Recorder

local COMMANDS = {
  'initialize', 'launch', 'setBreakpoints', 'setExceptionBreakpoints', 'configurationDone',
  'threads', 'stackTrace', 'scopes', 'variables', 'next', 'continue', 'evaluate',
}
local EVENTS = { 'initialized', 'stopped', 'output', 'exited', 'terminated' }

--- Requests (with their answers) and events, each numbered in the order they arrived.
local function record(dap)
  local self = setmetatable({ requests = {}, events = {}, seen = 0 }, Recorder)
  for _, command in ipairs(COMMANDS) do
    dap.listeners.after[command]['qirvo-test'] = function(_, err, body, request)
      self.seen = self.seen + 1
      table.insert(self.requests, { command = command, arguments = request, err = err, body = body, at = self.seen })
    end
  end
  for _, event in ipairs(EVENTS) do
    dap.listeners.after['event_' .. event]['qirvo-test'] = function(_, body)
      self.seen = self.seen + 1
      table.insert(self.events, { event = event, body = body, at = self.seen })
    end
  end
  return self
end

function Recorder:reset()
  self.requests, self.events = {}, {}
end

--- When the `count`-th stopped event arrived, nil before.
function Recorder:stopped_at(count)
  local n = 0
  for _, e in ipairs(self.events) do
    if e.event == 'stopped' then
      n = n + 1
      if n == count then
        return e.at
      end
    end
  end
  return nil
end

function Recorder:of(command)
  local found = {}
  for _, r in ipairs(self.requests) do
    if r.command == command then
      table.insert(found, r)
    end
  end
  return found
end

function Recorder:events_of(event)
  local found = {}
  for _, e in ipairs(self.events) do
    if e.event == event then
      table.insert(found, e.body)
    end
  end
  return found
end

--- All `output` events' text, in order.
function Recorder:output()
  local text = {}
  for _, body in ipairs(self:events_of('output')) do
    table.insert(text, body.output)
  end
  return table.concat(text)
end

--- The text of nvim-dap's REPL buffer (it shows the adapter's output and evaluations).
local function repl_text()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf):find('[dap-repl]', 1, true) then
      return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'), buf
    end
  end
  return ''
end

local function buffer_text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end

--- Waits for the `count`-th stop and for nvim-dap to have made a frame of that stop's stack
--- its current frame and fetched its scopes and (non-expensive) variables.
local function wait_stopped(dap, recorder, count)
  wait_for('stop #' .. count .. ' and its scopes', function()
    local session = dap.session()
    local at = recorder:stopped_at(count)
    if session == nil or at == nil or session.current_frame == nil then
      return false
    end
    local fresh = false
    for _, trace in ipairs(recorder:of('stackTrace')) do
      if trace.at > at and trace.body and vim.tbl_contains(trace.body.stackFrames, session.current_frame) then
        fresh = true
      end
    end
    if not fresh then
      return false
    end
    local scopes = session.current_frame.scopes
    if scopes == nil or #scopes == 0 then
      return false
    end
    for _, scope in ipairs(scopes) do
      if not scope.expensive and scope.variables == nil then
        return false
      end
    end
    return true
  end)
  local stopped = recorder:events_of('stopped')
  local session = dap.session()
  return session, session.current_frame, stopped[#stopped]
end

local function scope_named(frame, name)
  for _, scope in ipairs(frame.scopes) do
    if scope.name == name then
      return scope
    end
  end
  error('no scope ' .. name .. ' in ' .. vim.inspect(frame.scopes))
end

local function scope_names(frame)
  local names = {}
  for _, scope in ipairs(frame.scopes) do
    table.insert(names, scope.name)
  end
  return names
end

--- session:evaluate (the REPL's context), waited for: the result or the error message.
local function evaluate(session, expression)
  local done, result, failure = false, nil, nil
  session:evaluate(expression, function(err, body)
    done = true
    if err then
      failure = err.message or vim.inspect(err)
    else
      result = body.result
    end
  end)
  wait_for('evaluate ' .. expression, function()
    return done
  end)
  return result, failure
end

--- Waits for the end of the session: exited and terminated seen, no session left, and no
--- adapter process left either.
local function wait_end(dap, recorder, binary)
  wait_for('exited and terminated', function()
    return #recorder:events_of('terminated') > 0 and #recorder:events_of('exited') > 0
  end)
  wait_for('nvim-dap closing the session', function()
    return dap.session() == nil
  end)
  wait_for('the adapter process to exit', function()
    return #adapter_processes(binary) == 0
  end)
  local exited = recorder:events_of('exited')
  check(#exited == 1, 'one exited event: ' .. vim.inspect(exited))
  return exited[1]
end

--- examples/hello: dap.continue() from the source, dap.set_breakpoint(), REPL, step, logpoint.
local function rust_session(dap, recorder, binary)
  local source = repo .. '/examples/hello/src/lib.rs'
  local manifest = repo .. '/examples/hello/manifest.json'
  local initialize_line = line_of(source, 'info!("initialize')
  local start_line = line_of(source, 'info!("start")')
  local stop_line = line_of(source, 'info!("stop")')
  check(start_line == 18, 'examples/hello/src/lib.rs changed: info!("start") is on ' .. start_line)

  vim.cmd('edit ' .. vim.fn.fnameescape(source))
  local source_buf = vim.api.nvim_get_current_buf()
  check(vim.bo.filetype == 'rust', 'lib.rs is a rust buffer, got ' .. vim.bo.filetype)
  vim.api.nvim_win_set_cursor(0, { initialize_line, 0 })
  dap.set_breakpoint('1 == 2')
  vim.api.nvim_win_set_cursor(0, { start_line, 0 })
  dap.set_breakpoint()
  vim.api.nvim_win_set_cursor(0, { stop_line, 0 })
  dap.set_breakpoint(nil, nil, 'stopping, {6 * 7} {{braces}}')
  vim.api.nvim_win_set_cursor(0, { 1, 0 })

  -- dap.continue() with no session offers the buffer's configurations; pick the plugin's.
  local offered
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    for _, item in ipairs(items) do
      table.insert(offered, opts.format_item(item))
    end
    for i, item in ipairs(items) do
      if item.name == 'Qirvo: debug plugin' then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  check(#adapter_processes(binary) == 0, 'no adapter before the session')
  dap.continue()
  check(
    vim.deep_equal(offered, { 'Qirvo: debug plugin', 'Qirvo: debug plugin (stop on entry)' }),
    'dap.continue() offers the qirvo configurations: ' .. vim.inspect(offered)
  )

  local session, frame, stopped = wait_stopped(dap, recorder, 1)
  check(#adapter_processes(binary) == 1, 'one `qirvo dap` process: ' .. vim.inspect(adapter_processes(binary)))

  -- What nvim-dap sent: the plugin's configuration with the manifest picked from the buffer.
  local launch = recorder:of('launch')[1]
  check(launch and launch.err == nil, 'launch answered: ' .. vim.inspect(launch))
  check(launch.arguments.manifest == manifest, 'the manifest above lib.rs: ' .. vim.inspect(launch.arguments))
  check(launch.arguments.type == 'qirvo' and launch.arguments.request == 'launch', vim.inspect(launch.arguments))
  local initialize = recorder:of('initialize')[1]
  check(initialize.body.supportsConditionalBreakpoints and initialize.body.supportsLogPoints, 'capabilities')
  check(session.capabilities.supportsConfigurationDoneRequest == true, 'nvim-dap kept the capabilities')
  check(#recorder:of('configurationDone') == 1, 'configurationDone was sent')

  -- One setBreakpoints for lib.rs, with `lines` and `breakpoints` both (as nvim-dap sends),
  -- the condition and the log message kept; one verified answer per line, in order.
  local set = recorder:of('setBreakpoints')
  check(#set == 1, 'one setBreakpoints: ' .. vim.inspect(set))
  local args = set[1].arguments
  check(args.source.path == source and args.source.name == 'lib.rs', vim.inspect(args.source))
  check(vim.deep_equal(args.lines, { initialize_line, start_line, stop_line }), vim.inspect(args.lines))
  check(args.breakpoints[1].condition == '1 == 2', vim.inspect(args.breakpoints))
  check(args.breakpoints[3].logMessage == 'stopping, {6 * 7} {{braces}}', vim.inspect(args.breakpoints))
  check(set[1].err == nil, 'setBreakpoints failed: ' .. vim.inspect(set[1].err))
  local answers = set[1].body.breakpoints
  check(#answers == 3, vim.inspect(answers))
  for i, line in ipairs({ initialize_line, start_line, stop_line }) do
    check(answers[i].line == line and answers[i].verified == true, 'answer ' .. i .. ': ' .. vim.inspect(answers[i]))
  end
  -- nvim-dap keeps each answer as the breakpoint's state.
  for _, bp in ipairs(require('dap.breakpoints').get(source_buf)[source_buf]) do
    check(bp.state and bp.state.verified == true, 'verified in nvim-dap: ' .. vim.inspect(bp))
  end

  -- The condition `1 == 2` kept line 13 from stopping: the first stop is `start`.
  check(stopped.reason == 'breakpoint', 'stopped by the breakpoint: ' .. vim.inspect(stopped))
  check(frame.name == '<hello::Hello as qirvo_pdk::Plugin>::start', 'frame: ' .. frame.name)
  check(frame.line == start_line, 'stopped on line ' .. frame.line)
  check(frame.source.path == source, 'frame source: ' .. vim.inspect(frame.source))

  -- nvim-dap shows it: the cursor in lib.rs on that line, and the DapStopped sign.
  check(vim.api.nvim_get_current_buf() == source_buf, 'nvim-dap jumped to lib.rs')
  check(vim.api.nvim_win_get_cursor(0)[1] == start_line, 'cursor on ' .. vim.api.nvim_win_get_cursor(0)[1])
  local signs = vim.fn.sign_getplaced(source_buf, { group = session.sign_group })[1].signs
  check(#signs == 1 and signs[1].name == 'DapStopped' and signs[1].lnum == start_line, vim.inspect(signs))

  -- Threads: one per plugin, named by its id, stopped, with the stack nvim-dap fetched.
  local threads = vim.tbl_values(session.threads)
  check(#threads == 1, 'one thread: ' .. vim.inspect(threads))
  local thread = threads[1]
  check(thread.name == 'dev.qirvo.examples.hello' and thread.stopped == true, vim.inspect(thread.name))
  check(session.stopped_thread_id == thread.id, 'the stopped thread is the focused one')
  local names = {}
  for _, f in ipairs(thread.frames) do
    table.insert(names, f.name)
  end
  check(vim.tbl_contains(names, 'qirvo_start'), 'the stack reaches qirvo_start: ' .. vim.inspect(names))

  -- Scopes and the variables nvim-dap fetched for them.
  check(
    vim.deep_equal(scope_names(frame), { 'Locals', 'Arguments', 'Globals', 'Wasm', 'Plugin' }),
    vim.inspect(scope_names(frame))
  )
  local self_ = scope_named(frame, 'Arguments').variables.self
  check(self_ and self_.type == '&mut hello::Hello', 'the argument self: ' .. vim.inspect(self_))

  -- Evaluation: session:evaluate, and the REPL buffer (typed into, as a user would).
  check(evaluate(session, '6 * 7') == '42', 'evaluate 6 * 7')
  local _, failure = evaluate(session, 'no_such_name')
  check(failure ~= nil, 'an unknown name is an error')
  dap.repl.open()
  local _, repl_buf = repl_text()
  check(repl_buf ~= nil, 'dap.repl.open() made the [dap-repl] buffer')
  local window = vim.api.nvim_get_current_win()
  vim.api.nvim_set_current_win(vim.fn.bufwinid(repl_buf))
  vim.api.nvim_feedkeys('i100 - 58\r', 'xt', false)
  vim.api.nvim_set_current_win(window)
  -- The typed line, then (below the next prompt) the result on a line of its own.
  local ok = vim.wait(t.TIMEOUT, function()
    local text = buffer_text(repl_buf)
    local typed = text:find('dap> 100 - 58\n', 1, true)
    return typed ~= nil and (text:find('\n42\n', typed, true) ~= nil or text:find('\n42$', typed) ~= nil)
  end, 20)
  check(ok, 'the REPL shows 100 - 58 = 42:\n' .. buffer_text(repl_buf))

  -- dap.step_over(): `next` to the next line of start.
  dap.step_over()
  session, frame, stopped = wait_stopped(dap, recorder, 2)
  check(stopped.reason == 'step', 'a step stop: ' .. vim.inspect(stopped))
  local next_ = recorder:of('next')[1]
  check(next_ and next_.arguments.threadId == thread.id and next_.err == nil, vim.inspect(next_))
  check(frame.line == start_line + 1 and frame.name:find('start', 1, true), frame.name .. ':' .. frame.line)
  check(vim.api.nvim_win_get_cursor(0)[1] == start_line + 1, 'the cursor followed the step')
  check(recorder:output():find('[dev.qirvo.examples.hello] info: start\n', 1, true), 'the stepped-over line logged')

  -- To the end: the logpoint prints without stopping; nothing else stops.
  dap.continue()
  local exited = wait_end(dap, recorder, binary)
  check(exited.exitCode == 0, 'exit code ' .. vim.inspect(exited))
  check(#recorder:events_of('stopped') == 2, 'only the breakpoint and the step stopped')
  local output = recorder:output()
  check(output:find('Hello, world!\n', 1, true), output)
  check(output:find('stopping, 42 {braces}\n', 1, true), 'the logpoint printed: ' .. output)
  local shown = buffer_text(repl_buf)
  check(shown:find('stopping, 42 {braces}', 1, true), 'the REPL shows the logpoint:\n' .. shown)
  check(shown:find('Hello, world!', 1, true), 'the REPL shows stdout:\n' .. shown)
  check(#vim.fn.sign_getplaced(source_buf, { group = session.sign_group })[1].signs == 0, 'the sign is gone')
  dap.repl.close()
  require('dap.breakpoints').clear()
end

--- examples/c-variables: :QirvoDebug, dap.breakpoints.set, variables, widgets, a condition.
local function c_session(dap, recorder, binary)
  local source = repo .. '/examples/c-variables/c_variables.c'
  local manifest = repo .. '/examples/c-variables/manifest.json'
  local break_line = line_of(source, '/* BREAK */')
  local loop_line = line_of(source, '/* LOOP */')
  local after_loop = loop_line + 2 -- `counted += sum;`
  check(read(source):find('counted += sum;', 1, true), 'c_variables.c changed')

  vim.cmd('edit ' .. vim.fn.fnameescape(source))
  local source_buf = vim.api.nvim_get_current_buf()
  local breakpoints = require('dap.breakpoints')
  breakpoints.set({}, source_buf, break_line)
  breakpoints.set({ condition = 'i == 5' }, source_buf, loop_line)
  breakpoints.set({ log_message = 'sum={sum}' }, source_buf, after_loop)

  vim.cmd('QirvoDebug ' .. vim.fn.fnameescape(manifest))
  local session, frame, stopped = wait_stopped(dap, recorder, 1)
  local launch = recorder:of('launch')[1].arguments
  check(launch.manifest == manifest and launch.cwd == repo .. '/examples/c-variables', vim.inspect(launch))
  check(launch.name == 'Debug manifest.json', vim.inspect(launch))

  local set = recorder:of('setBreakpoints')[1]
  check(vim.deep_equal(set.arguments.lines, { break_line, loop_line, after_loop }), vim.inspect(set.arguments))
  check(set.arguments.breakpoints[2].condition == 'i == 5', vim.inspect(set.arguments.breakpoints))
  check(set.arguments.breakpoints[3].logMessage == 'sum={sum}', vim.inspect(set.arguments.breakpoints))
  for i, line in ipairs({ break_line, loop_line, after_loop }) do
    local answer = set.body.breakpoints[i]
    check(answer.line == line and answer.verified == true, 'answer ' .. i .. ': ' .. vim.inspect(answer))
  end

  check(stopped.reason == 'breakpoint', vim.inspect(stopped))
  check(frame.name == 'inspect' and frame.line == break_line, frame.name .. ':' .. frame.line)
  check(frame.source.path == source, vim.inspect(frame.source))
  check(vim.tbl_values(session.threads)[1].name == 'dev.qirvo.examples.c-variables', 'thread name')

  -- The variables nvim-dap fetched for the scopes, by name.
  local locals = scope_named(frame, 'Locals').variables
  local arguments = scope_named(frame, 'Arguments').variables
  local function shown(variables, name)
    local v = variables[name]
    check(v ~= nil, 'no ' .. name .. ' in ' .. vim.inspect(vim.tbl_keys(variables)))
    return v.type .. ' = ' .. v.value
  end
  check(shown(locals, 'small') == 'int = -7', shown(locals, 'small'))
  check(shown(locals, 'big') == 'unsigned int = 4000000000', shown(locals, 'big'))
  check(shown(locals, 'letter'):find("'Q'", 1, true), shown(locals, 'letter'))
  check(shown(locals, 'origin'):find('{x: 3, y: -4}', 1, true), shown(locals, 'origin'))
  check(locals.origin.variablesReference > 0, 'origin expands')
  check(shown(arguments, 'count') == 'int = 42', shown(arguments, 'count'))

  -- Children through session:request, as nvim-dap's tree does when a node is expanded.
  local fields
  session:request('variables', { variablesReference = locals.origin.variablesReference }, function(err, body)
    fields = err and { error = err } or body.variables
  end)
  wait_for('the fields of origin', function()
    return fields ~= nil
  end)
  local lines = {}
  for _, v in ipairs(fields) do
    table.insert(lines, v.name .. ': ' .. v.type .. ' = ' .. v.value)
  end
  check(vim.deep_equal(lines, { 'x: int = 3', 'y: int = -4' }), vim.inspect(lines))

  check(evaluate(session, 'small + count') == '35', 'evaluate small + count')
  check(evaluate(session, 'shape->corner.x') == '10', 'evaluate shape->corner.x')

  -- The widgets: a hover of an expression and the scopes sidebar render what nvim-dap got.
  local widgets = require('dap.ui.widgets')
  local hover = widgets.hover('small + count')
  wait_for('the hover showing 35', function()
    return buffer_text(hover.buf) == '35'
  end)
  hover.close()
  local sidebar = widgets.sidebar(widgets.scopes)
  sidebar.open()
  check(vim.wait(t.TIMEOUT, function()
    local text = buffer_text(sidebar.buf)
    return text:find('Locals', 1, true)
      and text:find('\n  small: -7\n', 1, true)
      and text:find('\n  count: 42\n', 1, true)
  end, 20), 'the scopes sidebar shows small and count:\n' .. buffer_text(sidebar.buf))
  sidebar.close()

  dap.step_over()
  session, frame, stopped = wait_stopped(dap, recorder, 2)
  check(stopped.reason == 'step' and frame.name == 'inspect', vim.inspect(stopped) .. ' ' .. frame.name)
  check(frame.line == break_line + 1, 'step to ' .. (break_line + 1) .. ', got ' .. frame.line)

  -- The condition stops in the fifth iteration only.
  dap.continue()
  session, frame, stopped = wait_stopped(dap, recorder, 3)
  check(stopped.reason == 'breakpoint' and frame.name == 'loop', vim.inspect(stopped) .. ' ' .. frame.name)
  check(frame.line == loop_line, 'stopped on ' .. frame.line)
  check(evaluate(session, 'i') == '5', 'i is 5 at the conditional stop')
  check(shown(scope_named(frame, 'Locals').variables, 'sum') == 'int = 10', 'sum is 10')

  dap.continue()
  local exited = wait_end(dap, recorder, binary)
  check(exited.exitCode == 0, vim.inspect(exited))
  check(#recorder:events_of('stopped') == 3, 'no other iteration stopped, the logpoint never')
  local logged = {}
  for line in recorder:output():gmatch('[^\n]+') do
    if line:find('^sum=') then
      table.insert(logged, line)
    end
  end
  check(vim.deep_equal(logged, { 'sum=55' }), 'the logpoint: ' .. vim.inspect(logged))
  check(recorder:output():find('result ', 1, true), recorder:output())
  breakpoints.clear()
end

local function main()
  local nvim_dap = vim.env.QIRVO_NVIM_DAP
  if nvim_dap == nil or nvim_dap == '' then
    nvim_dap = vim.fn.simplify(repo .. '/../shared/vendor/nvim-dap-0.6.0')
  end
  if vim.fn.filereadable(nvim_dap .. '/lua/dap.lua') ~= 1 then
    t.skip('no nvim-dap at ' .. nvim_dap .. ' (see ../shared/vendor/README.md; or set QIRVO_NVIM_DAP)')
  end
  local binary = t.binary()
  vim.opt.runtimepath:append(nvim_dap)
  vim.cmd('filetype on')
  local dap = require('dap')
  check(debug.getinfo(dap.run, 'S').source:find(nvim_dap, 1, true), 'the vendored nvim-dap is the one loaded')

  -- As a user's config: nvim-dap is installed, then the plugin's setup registers the adapter.
  require('qirvo').setup({ cmd = { binary } })
  check(type(dap.adapters.qirvo) == 'function', 'setup() registered the qirvo adapter')

  local recorder = record(dap)
  rust_session(dap, recorder, binary)
  recorder:reset()
  c_session(dap, recorder, binary)
end

t.run('nvim dap', main)
