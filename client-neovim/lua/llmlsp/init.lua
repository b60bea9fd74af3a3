-- LlmLsp for Neovim: user commands over the llmlsp/* requests of `llmlsp serve`.
-- This file only forwards requests and renders results; prompts, retrieval and models live in the server.
-- Works with Neovim 0.7 and later (0.7-0.10: start the server with M.start or your own vim.lsp.start_client;
-- 0.11+: vim.lsp.config/vim.lsp.enable with the name 'llmlsp').
local M = {}

local NAME = 'llmlsp'
local has = function(feature) return vim.fn.has(feature) == 1 end

-- token -> function(value) for the $/progress notifications this plugin asked for.
local listeners = {}
local next_token = 0
-- The $/progress handlers this plugin made, so one is never wrapped twice.
local ours = setmetatable({}, { __mode = 'k' })

local function new_token(kind)
  next_token = next_token + 1
  return string.format('llmlsp-%s-%d-%d', kind, vim.fn.getpid(), next_token)
end

--- $/progress handler: values for our tokens go to their listener; every other token goes to `fallback`
--- (Neovim's default handler when nil). Put it in a client config as handlers['$/progress'].
function M.progress_handler(fallback)
  return function(err, result, ctx, config)
    local listener = result and listeners[result.token]
    if listener then
      listener(result.value)
      return
    end
    local default = fallback or vim.lsp.handlers['$/progress']
    if default then
      return default(err, result, ctx, config)
    end
  end
end

--- Handlers to put in a client config (`handlers = require('llmlsp').handlers()`).
function M.handlers()
  local handler = M.progress_handler()
  ours[handler] = true
  return { ['$/progress'] = handler }
end

local function ensure_progress_handler(client)
  client.handlers = client.handlers or {}
  local current = client.handlers['$/progress']
  if not (current and ours[current]) then
    local wrapped = M.progress_handler(current)
    ours[wrapped] = true
    client.handlers['$/progress'] = wrapped
  end
end

local function clients()
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ name = NAME })
  end
  local found = {}
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == NAME then
      table.insert(found, client)
    end
  end
  return found
end

--- The running llmlsp client (prefers one attached to the current buffer), or nil with a message.
function M.client()
  local all = clients()
  local buf = vim.api.nvim_get_current_buf()
  for _, client in ipairs(all) do
    if vim.lsp.buf_is_attached(buf, client.id) then
      return client
    end
  end
  if all[1] then
    return all[1]
  end
  vim.notify('llmlsp: no running llmlsp client (see :help llmlsp or docs/neovim.md)', vim.log.levels.ERROR)
end

local function request(client, method, params, handler, bufnr)
  if has('nvim-0.11') then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function cancel(client, id)
  if has('nvim-0.11') then
    return client:cancel_request(id)
  end
  return client.cancel_request(id)
end

--- Sends `method` with a partialResultToken; `on_delta(text)` gets each streamed delta, `on_done(err, result)`
--- the final answer. Returns a function that cancels the request.
function M.stream(client, method, params, on_delta, on_done)
  ensure_progress_handler(client)
  local token = new_token('stream')
  params.partialResultToken = token
  listeners[token] = function(value)
    if type(value) == 'table' and type(value.delta) == 'string' then
      on_delta(value.delta)
    end
  end
  local ok, id = request(client, method, params, function(err, result)
    listeners[token] = nil
    on_done(err, result)
  end, vim.api.nvim_get_current_buf())
  if not ok then
    listeners[token] = nil
    on_done({ message = 'the server is not running' }, nil)
    return function() end
  end
  return function() cancel(client, id) end
end

-- Answer buffers ------------------------------------------------------------------------------------------

local active_cancel

local function scratch(title)
  local buf = vim.fn.bufnr('^' .. vim.fn.escape(title, '[]*?\\') .. '$')
  if buf == -1 or not vim.api.nvim_buf_is_valid(buf) then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, title)
    vim.api.nvim_buf_set_option(buf, 'filetype', 'markdown')
  end
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd('botright split')
    vim.api.nvim_win_set_buf(0, buf)
    win = vim.api.nvim_get_current_win()
  end
  return buf, win
end

local function append_text(buf, text)
  if not vim.api.nvim_buf_is_valid(buf) then
    return
  end
  local last = vim.api.nvim_buf_line_count(buf)
  local tail = vim.api.nvim_buf_get_lines(buf, last - 1, last, false)[1] or ''
  local pieces = vim.split(text, '\n', { plain = true })
  pieces[1] = tail .. pieces[1]
  vim.api.nvim_buf_set_lines(buf, last - 1, last, false, pieces)
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

local function uri_to_path(uri)
  if type(uri) ~= 'string' then
    return nil
  end
  return uri:match('^%a[%w+.-]*:') and vim.uri_to_fname(uri) or uri
end

--- Citations {n, path, startLine, endLine, page?, uri?} (lines 1-based) as quickfix entries.
local function set_citations(citations, title, root)
  local items = {}
  for _, c in ipairs(citations or {}) do
    local file = uri_to_path(c.uri) or (root and (root .. '/' .. c.path)) or c.path
    local where = c.page and c.page ~= vim.NIL and string.format(' (page %d)', c.page) or ''
    table.insert(items, {
      filename = file,
      lnum = c.startLine,
      end_lnum = c.endLine,
      col = 1,
      text = string.format('[%d] %s:%d-%d%s', c.n, c.path, c.startLine, c.endLine, where),
    })
  end
  vim.fn.setqflist({}, ' ', { title = title, items = items })
  return #items
end

local function root_of(client)
  local folders = client.workspace_folders or (client.config and client.config.workspace_folders)
  if folders and folders[1] then
    return uri_to_path(folders[1].uri)
  end
  return client.config and client.config.root_dir
end

local function show_error(what, err)
  local message = type(err) == 'table' and err.message or tostring(err)
  vim.notify(string.format('llmlsp %s: %s', what, message), vim.log.levels.ERROR)
end

local function finish(buf, win_before, count, title)
  if count > 0 then
    vim.cmd('botright copen')
  end
  if win_before and vim.api.nvim_win_is_valid(win_before) then
    vim.api.nvim_set_current_win(win_before)
  end
  vim.api.nvim_echo({ { string.format('llmlsp %s: %d citation(s) in the quickfix list', title, count) } }, true, {})
end

--- :LlmLspAsk {question} — answer from the indexed workspace, streamed into a scratch buffer.
function M.ask(question)
  local client = M.client()
  if not client then return end
  if question == nil or question == '' then
    question = vim.fn.input('Ask the workspace: ')
    if question == '' then return end
  end
  local before = vim.api.nvim_get_current_win()
  local buf = scratch('llmlsp://ask')
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { '# ' .. question, '', '' })
  local streamed = false
  active_cancel = M.stream(client, 'llmlsp/ask', { question = question }, function(delta)
    streamed = true
    append_text(buf, delta)
  end, function(err, result)
    active_cancel = nil
    if err then
      append_text(buf, '\n\n_' .. (err.message or 'request failed') .. '_')
      return show_error('ask', err)
    end
    if not streamed and result.answer and result.answer ~= '' then
      append_text(buf, result.answer)
    end
    if result.notice and result.notice ~= vim.NIL then
      append_text(buf, '\n\n> ' .. result.notice)
    end
    if result.finishReason == 'no_model' then
      append_text(buf, '\n\nRelevant passages:')
      for _, c in ipairs(result.citations or {}) do
        append_text(buf, string.format('\n- [%d] %s:%d-%d', c.n, c.path, c.startLine, c.endLine))
      end
    end
    finish(buf, before, set_citations(result.citations, 'llmlsp ask: ' .. question, root_of(client)), 'ask')
  end)
end

-- One conversation per session; :LlmLspChat! starts a new one.
local conversation = {}

--- :[range]LlmLspChat[!] {message} — chat about the current buffer (the range becomes the selection) and the
--- indexed workspace; the answer streams into a scratch buffer, citations go to the quickfix list.
function M.chat(message, opts)
  opts = opts or {}
  local client = M.client()
  if not client then return end
  if opts.reset then conversation = {} end
  if message == nil or message == '' then
    message = vim.fn.input('Chat: ')
    if message == '' then return end
  end
  local source = vim.api.nvim_get_current_buf()
  local context = { uri = vim.uri_from_bufnr(source), includeDocument = true, workspace = true }
  if opts.range and opts.range > 0 then
    context.selection = {
      start = { line = opts.line1 - 1, character = 0 },
      ['end'] = { line = opts.line2, character = 0 },
    }
    context.includeDocument = false
  end
  table.insert(conversation, { role = 'user', content = message })
  local before = vim.api.nvim_get_current_win()
  local buf = scratch('llmlsp://chat')
  local header = (#conversation > 1) and { '', '## ' .. message, '', '' } or { '## ' .. message, '', '' }
  if #conversation == 1 then
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, header)
  else
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, header)
  end
  local messages = vim.deepcopy(conversation)
  local streamed = false
  active_cancel = M.stream(client, 'llmlsp/chat', { messages = messages, context = context }, function(delta)
    streamed = true
    append_text(buf, delta)
  end, function(err, result)
    active_cancel = nil
    if err then
      table.remove(conversation)
      append_text(buf, '\n\n_' .. (err.message or 'request failed') .. '_')
      return show_error('chat', err)
    end
    if not streamed then append_text(buf, result.text or '') end
    if result.finishReason == 'cancelled' then append_text(buf, '\n\n_(stopped)_') end
    table.insert(conversation, { role = 'assistant', content = result.text or '' })
    finish(buf, before, set_citations(result.citations, 'llmlsp chat', root_of(client)), 'chat')
  end)
end

--- :LlmLspCancel — stops the answer being streamed.
function M.cancel()
  if active_cancel then active_cancel() end
end

--- :LlmLspIndex [folder] — indexes a folder (default: the workspace) with progress in the message area.
function M.index(folder)
  local client = M.client()
  if not client then return end
  ensure_progress_handler(client)
  local arguments = nil
  if folder and folder ~= '' then
    arguments = { vim.uri_from_fname(vim.fn.fnamemodify(folder, ':p'):gsub('/$', '')) }
  end
  local token = new_token('index')
  local title = 'Indexing'
  local function echo(text)
    vim.api.nvim_echo({ { 'llmlsp: ' .. text } }, true, {})
  end
  listeners[token] = function(value)
    if type(value) ~= 'table' then return end
    if value.kind == 'begin' then
      title = value.title or title
      echo(title .. (value.message and (' ' .. value.message) or ''))
    elseif value.kind == 'report' then
      local pct = value.percentage and string.format(' (%d%%)', value.percentage) or ''
      echo(string.format('%s %s%s', title, value.message or '', pct))
    elseif value.kind == 'end' then
      echo(title .. ' ' .. (value.message or 'done'))
    end
  end
  local params = { command = 'llmlsp.indexFolder', arguments = arguments, workDoneToken = token }
  request(client, 'workspace/executeCommand', params, function(err, result)
    listeners[token] = nil
    if err then return show_error('index', err) end
    M.last_index = result
    echo(string.format('indexed %s: %d new or changed, %d unchanged, %d removed, %d chunks in %d ms',
      uri_to_path(result.folder) or tostring(result.folder), result.filesIndexed, result.filesUnchanged,
      result.filesRemoved, result.chunks, result.elapsedMs))
  end, vim.api.nvim_get_current_buf())
end

--- For Neovim 0.7-0.10: starts (or reuses) the server for the current buffer.
--- opts: cmd (default {'llmlsp', 'serve'}), root_markers, settings (the `llmlsp` section).
function M.start(opts)
  opts = opts or {}
  local root = vim.fn.getcwd()
  local from = vim.fn.expand('%:p:h')
  for _, marker in ipairs(opts.root_markers or { '.git' }) do
    local found = vim.fn.finddir(marker, from .. ';')
    if found == '' then found = vim.fn.findfile(marker, from .. ';') end
    if found ~= '' then
      root = vim.fn.fnamemodify(found, ':p:h:h')
      break
    end
  end
  local config = {
    name = NAME,
    cmd = opts.cmd or { 'llmlsp', 'serve' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = opts.settings,
    handlers = M.handlers(),
  }
  if vim.lsp.start then
    return vim.lsp.start(config)
  end
  for _, client in ipairs(clients()) do
    if client.config.root_dir == root then
      vim.lsp.buf_attach_client(0, client.id)
      return client.id
    end
  end
  local id = vim.lsp.start_client(config)
  if id then vim.lsp.buf_attach_client(0, id) end
  return id
end

return M
