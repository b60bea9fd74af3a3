-- Neovim 0.7+: the suggestion as the completion item, requested directly and through the omnifunc popup.
local line = tonumber(os.getenv('LLMLSP_TEST_LINE'))

OnVimEnter(function()
  Log('version', Version())
  Poll('the llmlsp client', 30000, LlmLspClient, function(client)
    Log('client', { name = client.name, omnifunc = vim.bo.omnifunc })
    local text = vim.api.nvim_buf_get_lines(0, line - 1, line, false)[1]
    vim.api.nvim_win_set_cursor(0, { line, #text })
    local responses = vim.lsp.buf_request_sync(0, 'textDocument/completion', vim.lsp.util.make_position_params(), 30000)
    for id, response in pairs(responses or {}) do
      Log('completion', { client = vim.lsp.get_client_by_id(id).name, result = response.result, error = response.err })
    end
    -- <C-x><C-o> at the end of the line: vim.lsp.omnifunc asks the server and fills the popup with complete().
    vim.api.nvim_input('A<C-x><C-o>')
    Poll('the completion popup', 30000, function()
      local info = vim.fn.complete_info({ 'items', 'mode' })
      return #info.items > 0 and info
    end, function(info)
      Log('popup', { mode = vim.api.nvim_get_mode().mode, completion_mode = info.mode, items = info.items })
      vim.api.nvim_input('<C-e><Esc>')
      Done()
    end)
  end)
end)
