-- Neovim 0.12: ghost text from textDocument/inlineCompletion appears while typing, and <Tab> accepts it.
local line = tonumber(os.getenv('LLMLSP_TEST_LINE'))

local function ghost()
  local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
  if not ns then return nil end
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
    local text = {}
    for _, chunk in ipairs(mark[4].virt_text or {}) do table.insert(text, chunk[1]) end
    for _, virt_line in ipairs(mark[4].virt_lines or {}) do
      table.insert(text, '\n')
      for _, chunk in ipairs(virt_line) do table.insert(text, chunk[1]) end
    end
    if #text > 0 then return { row = mark[2], col = mark[3], text = table.concat(text) } end
  end
end

OnVimEnter(function()
  Log('version', Version())
  Poll('the llmlsp client', 30000, LlmLspClient, function(client)
    Log('client', client.name)
    local before = vim.api.nvim_buf_get_lines(0, line - 1, line, false)[1]
    vim.api.nvim_win_set_cursor(0, { line, #before })
    vim.api.nvim_input('Ax')
    Poll('a ghost-text extmark', 30000, ghost, function(mark)
      Log('ghost', mark)
      local typed = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
      Log('typed', typed)
      vim.api.nvim_input('<Tab>')
      Poll('<Tab> to accept the suggestion', 10000, function()
        return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') ~= typed
      end, function(now)
        Log('accepted', table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n'))
        Log('ghost_after_accept', ghost() or vim.NIL)
        vim.api.nvim_input('<Esc>')
        Done()
      end)
    end)
  end)
end)
