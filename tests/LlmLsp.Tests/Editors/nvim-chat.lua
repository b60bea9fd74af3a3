-- :LlmLspChat streams the answer into the llmlsp://chat buffer through $/progress partial results.
local deltas = {}
local original

OnVimEnter(function()
  Poll('the llmlsp client', 30000, LlmLspClient, function(client)
    -- Short answers keep the test quick with the fixture model (a settings push, as any client may send).
    client.notify('workspace/didChangeConfiguration', { settings = { llmlsp = { chat = { maxTokens = 24 } } } })
    -- Count the streamed deltas that reach the plugin's $/progress handler.
    vim.cmd('LlmLspChat! Explain this code.')
    original = client.handlers['$/progress']
    client.handlers['$/progress'] = function(err, result, ctx, config)
      if result and type(result.value) == 'table' and result.value.delta then table.insert(deltas, result.value.delta) end
      return original(err, result, ctx, config)
    end
    Poll('the chat answer', 45000, function()
      local last = vim.api.nvim_exec('messages', true)
      return last:find('llmlsp chat:', 1, true) ~= nil
    end, function()
      Log('deltas', deltas)
      Log('chat', vim.api.nvim_buf_get_lines(vim.fn.bufnr('llmlsp://chat'), 0, -1, false))
      Done()
    end)
  end)
end)
