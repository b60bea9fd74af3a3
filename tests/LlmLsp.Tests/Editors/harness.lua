-- Test harness appended after a documented config: results go as JSON lines to $LLMLSP_TEST_OUT, and the test
-- steps run from VimEnter (the -u script runs before the file is loaded, too early to attach).
local out = assert(os.getenv('LLMLSP_TEST_OUT'), 'LLMLSP_TEST_OUT is not set')
local uv = vim.uv or vim.loop

function Log(key, value)
  local f = assert(io.open(out, 'a'))
  f:write(vim.fn.json_encode({ key = key, value = value }) .. '\n')
  f:close()
end

function Fail(message)
  Log('error', message)
  vim.cmd('qa!')
end

function Done()
  Log('done', true)
  vim.cmd('qa!')
end

-- Runs fn(...) on the main loop, turning errors into a logged failure.
function Step(fn, ...)
  local args = { ... }
  vim.defer_fn(function()
    local ok, err = xpcall(function() fn(unpack(args)) end, debug.traceback)
    if not ok then Fail(tostring(err)) end
  end, 10)
end

-- Polls check() every 20 ms without blocking the editor (so typed keys and LSP replies are processed);
-- then(result) runs on success, Fail(what) at the deadline.
function Poll(what, timeout_ms, check, then_)
  local deadline = uv.now() + timeout_ms
  local timer = uv.new_timer()
  timer:start(20, 20, vim.schedule_wrap(function()
    if not timer:is_active() then return end
    local ok, result = xpcall(check, debug.traceback)
    if not ok then
      timer:stop()
      return Fail(result)
    end
    if result then
      timer:stop()
      Step(then_, result)
    elseif uv.now() > deadline then
      timer:stop()
      Fail('timed out waiting for ' .. what)
    end
  end))
end

-- The running, initialized llmlsp client.
function LlmLspClient()
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ name = 'llmlsp' }) or vim.lsp.get_active_clients()
  for _, c in pairs(all) do
    if c.name == 'llmlsp' and c.initialized and vim.lsp.buf_is_attached(0, c.id) then return c end
  end
end

function Version()
  local v = vim.version()
  return string.format('%d.%d.%d', v.major, v.minor, v.patch)
end

function OnVimEnter(fn)
  vim.api.nvim_create_autocmd('VimEnter', { once = true, callback = function() Step(fn) end })
end
