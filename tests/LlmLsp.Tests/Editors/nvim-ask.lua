-- :LlmLspIndex shows progress and completes; :LlmLspAsk fills the answer buffer and the quickfix list.
local question = os.getenv('LLMLSP_TEST_QUESTION')

OnVimEnter(function()
  Log('version', Version())
  Poll('the llmlsp client', 30000, LlmLspClient, function()
    vim.cmd('LlmLspIndex')
    Poll(':LlmLspIndex to finish', 30000, function() return require('llmlsp').last_index end, function(result)
      Log('index', result)
      Log('messages', vim.api.nvim_exec('messages', true))
      vim.cmd('LlmLspAsk ' .. question)
      Poll('quickfix entries from :LlmLspAsk', 30000, function() return #vim.fn.getqflist() > 0 end, function()
        local entries = {}
        for _, item in ipairs(vim.fn.getqflist()) do
          table.insert(entries, { file = vim.api.nvim_buf_get_name(item.bufnr), lnum = item.lnum, text = item.text })
        end
        Log('quickfix', { title = vim.fn.getqflist({ title = 1 }).title, items = entries })
        Log('answer', vim.api.nvim_buf_get_lines(vim.fn.bufnr('llmlsp://ask'), 0, -1, false))
        Log('windows', #vim.api.nvim_list_wins())
        Done()
      end)
    end)
  end)
end)
