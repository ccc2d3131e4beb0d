-- Headless Neovim (0.7+) as an independent LSP client of the built Skene language server.
-- Run: SERVER_JS=… COMPLETE_AT=line,col HOVER_AT=line,col \
--        nvim --headless -u NONE -i NONE -n -c "luafile nvim-probe.lua" path/to/skene.config.ts
-- Positions: 1-based line, 0-based column (nvim_win_set_cursor). Prints one JSON line prefixed
-- `NVIM-LSP-RESULT ` (diagnostics pushed by the server, completion labels, hover text), then
-- NVIM-LSP-PASS and exits 0 — or NVIM-LSP-FAIL: <reason> and exits 1.
local function out(s) io.stdout:write(s .. "\n") end

local function position(name)
  local value = os.getenv(name)
  assert(value, name .. " is not set")
  local line, col = value:match("^(%d+),(%d+)$")
  return { tonumber(line), tonumber(col) }
end

local ok, err = pcall(function()
  local node = os.getenv("NODE_BIN") or "node"
  local server = os.getenv("SERVER_JS")
  assert(server, "SERVER_JS is not set")
  local timeout = tonumber(os.getenv("PROBE_TIMEOUT_MS") or "60000") -- a bound for a loaded machine, not a speed check
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "typescript"

  local id = vim.lsp.start_client({
    name = "skene",
    cmd = { node, server, "--stdio" },
    root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":p:h"),
  })
  assert(id, "start_client failed")
  vim.lsp.buf_attach_client(bufnr, id)
  assert(vim.wait(timeout, function()
    local c = vim.lsp.get_client_by_id(id)
    return c ~= nil and c.initialized == true
  end, 20), "server did not initialize")

  -- Diagnostics are pushed after didOpen (debounced).
  assert(vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 20), "no diagnostics arrived")
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data and d.user_data.lsp) or {}
    table.insert(diagnostics, {
      code = lsp.code or d.code, source = d.source, message = d.message,
      lnum = d.lnum, col = d.col, href = lsp.codeDescription and lsp.codeDescription.href or vim.NIL,
    })
  end

  vim.api.nvim_win_set_cursor(0, position("COMPLETE_AT"))
  local res = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", vim.lsp.util.make_position_params(), timeout)
  assert(res and res[id] and res[id].result, "no completion result: " .. vim.inspect(res))
  local items = res[id].result.items or res[id].result
  local labels = {}
  for _, it in ipairs(items) do table.insert(labels, it.label) end

  vim.api.nvim_win_set_cursor(0, position("HOVER_AT"))
  local hov = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", vim.lsp.util.make_position_params(), timeout)
  assert(hov and hov[id] and hov[id].result, "no hover result: " .. vim.inspect(hov))
  local contents = hov[id].result.contents
  local hover = type(contents) == "table" and (contents.value or vim.inspect(contents)) or tostring(contents)

  out("NVIM-LSP-RESULT " .. vim.fn.json_encode({ diagnostics = diagnostics, completion = labels, hover = hover }))
  vim.lsp.stop_client(id)
  vim.wait(2000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
end)

if ok then
  out("NVIM-LSP-PASS")
  vim.cmd("qall!")
else
  out("NVIM-LSP-FAIL: " .. tostring(err))
  vim.cmd("cquit 1")
end
