-- :LlmLspAsk, :LlmLspChat, :LlmLspIndex, :LlmLspCancel. The server is started by your LSP config
-- (docs/neovim.md); these commands talk to the running client named 'llmlsp'.
if vim.g.loaded_llmlsp then
  return
end
vim.g.loaded_llmlsp = true

local command = vim.api.nvim_create_user_command

command('LlmLspAsk', function(args) require('llmlsp').ask(args.args) end,
  { nargs = '*', desc = 'Ask the indexed workspace; answer in a scratch buffer, citations in quickfix' })
command('LlmLspChat', function(args)
  require('llmlsp').chat(args.args, { reset = args.bang, range = args.range, line1 = args.line1, line2 = args.line2 })
end, { nargs = '*', bang = true, range = true, desc = 'Chat about this buffer (! starts a new conversation)' })
command('LlmLspIndex', function(args) require('llmlsp').index(args.args) end,
  { nargs = '?', complete = 'dir', desc = 'Index a folder (default: the workspace) for :LlmLspAsk' })
command('LlmLspCancel', function() require('llmlsp').cancel() end, { desc = 'Stop the answer being streamed' })
