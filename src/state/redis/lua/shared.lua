--[[
shared.lua: the prelude the loader (../scripts.ts) puts in front of every script, since Redis
scripts cannot import one another. Helpers only: exact number text, chunked variadic commands, the
per-key state hash with the memory store's idle reset, the id horizon (mirror of src/state/ids.ts)
and key expiry. Every helper reads and writes Redis a bounded number of times per script call,
never once per input: a call reads what it needs up front, works in Lua tables, writes back at the end.
KEYS, ARGV: none of its own. Returns: nothing.
]]

-- %.17g round-trips every IEEE double, so JavaScript reads back the very number Lua computed
-- (Lua's own tostring keeps 14 digits only).
local function num(x)
  return string.format('%.17g', x)
end

-- A number for a reply: whole numbers that JavaScript holds exactly go as integer replies (no Lua
-- string to make, which is most of a script's cost per input); anything else, -0 included, as text.
local function rnum(x)
  if x % 1 == 0 and x > -9007199254740992 and x < 9007199254740992 and (x ~= 0 or 1 / x > 0) then return x end
  return string.format('%.17g', x)
end

local function flag(b)
  if b then return '1' end
  return '0'
end

-- Variadic commands take at most this many arguments per call (Lua's C stack is 8000 slots).
local CHUNK = 1000

-- cmd key xs[1..n], cut into calls of at most CHUNK items; step 2 keeps field/value pairs together.
local function call_chunked(cmd, key, xs, step)
  local n = #xs
  local size = CHUNK * (step or 1)
  for i = 1, n, size do
    redis.call(cmd, key, unpack(xs, i, math.min(i + size - 1, n)))
  end
end

-- HMGET of any number of fields; missing fields read as false.
local function hmget(key, fields)
  local out = {}
  local n = #fields
  for i = 1, n, CHUNK do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + CHUNK - 1, n)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end

-- Fields of a state hash that hold text; every other field holds a number.
local TEXT_FIELDS = { spec = true, pos = true, agg = true, cs = true }

-- The scalar state of one key: read once per call, written back once per call.
local function state_open(key)
  local flat = redis.call('HGETALL', key)
  local v = {}
  for i = 1, #flat, 2 do
    local f = flat[i]
    if TEXT_FIELDS[f] then v[f] = flat[i + 1] else v[f] = tonumber(flat[i + 1]) end
  end
  return { key = key, v = v, dirty = {} }
end

local function state_set(s, f, x)
  s.v[f] = x
  s.dirty[f] = true
end

-- Infinite and absent values are not stored: a missing field reads back as the caller's default.
local function state_save(s)
  local set, del = {}, {}
  for f in pairs(s.dirty) do
    local x = s.v[f]
    if x == nil or x == math.huge or x == -math.huge then
      del[#del + 1] = f
    else
      set[#set + 1] = f
      if type(x) == 'number' then set[#set + 1] = num(x) else set[#set + 1] = x end
    end
  end
  if #del > 0 then redis.call('HDEL', s.key, unpack(del)) end
  if #set > 0 then redis.call('HSET', s.key, unpack(set)) end
end

-- Mirror of MemoryStore.state(): a key idle for longer than its retention in event time (or never
-- written, or written under an incompatible spec) starts afresh, whatever its wall-clock TTL says.
local function state_begin(keys, first_time, retain, sig)
  local s = state_open(keys[1])
  local last = s.v.last
  if last == nil or first_time - last > retain or (sig ~= '' and s.v.spec ~= sig) then
    redis.call('DEL', unpack(keys))
    s = { key = keys[1], v = {}, dirty = {} }
    if sig ~= '' then state_set(s, 'spec', sig) end
  end
  return s
end

--[[
The id horizon of one key for one call, a mirror of IdHorizon: ids applied to the key, forgotten in
arrival order once older than the highest time added (state field idmax) minus the horizon.
Stored as a hash (id -> value: '1', or the cooldown's decision) and a list of timeMs, id pairs in
arrival order (two elements per id: no string to build or split). The call reads the hash entries
of its own input ids in one HMGET and the front of the list in small LRANGE pages as pruning needs
them; new ids, pruned ids and the list trim are written once, by ids_save.
]]
local function ids_open(s, ids_key, order_key, horizon, first, stride)
  local ids, queued = {}, {}
  for i = first, #ARGV, stride do
    local id = ARGV[i]
    if not queued[id] then
      queued[id] = true
      ids[#ids + 1] = id
    end
  end
  local known = {}
  local values = hmget(ids_key, ids)
  for i = 1, #ids do
    if values[i] then known[ids[i]] = values[i] end
  end
  return {
    s = s, ids_key = ids_key, order_key = order_key, horizon = horizon, known = known,
    -- Stored list: the page read so far (ids, times), the next index in it, how many were read.
    page_id = {}, page_t = {}, page_at = 1, read = 0, page_size = 16, exhausted = false,
    -- Time of the oldest remembered id once known, so most adds need no look at the list.
    front_t = nil,
    popped = 0, removed = {},
    -- Ids added in this call, in order; those before added_at were pruned again before being written.
    added = {}, added_t = {}, added_text = {}, added_at = 1,
  }
end

local function ids_front(h)
  if not h.exhausted and h.page_at > #h.page_id then
    local entries = redis.call('LRANGE', h.order_key, 2 * h.read, 2 * (h.read + h.page_size) - 1)
    local n = #entries / 2
    h.read = h.read + n
    if n < h.page_size then h.exhausted = true end
    if h.page_size < 1024 then h.page_size = h.page_size * 4 end
    local ids, times = {}, {}
    for i = 1, n do
      times[i] = tonumber(entries[2 * i - 1])
      ids[i] = entries[2 * i]
    end
    h.page_id, h.page_t, h.page_at = ids, times, 1
  end
  if h.page_at <= #h.page_id then return h.page_id[h.page_at], h.page_t[h.page_at], true end
  if h.added_at <= #h.added then return h.added[h.added_at], h.added_t[h.added_at], false end
  return nil
end

-- Forgets ids from the front of the arrival order while the oldest is older than cutoff.
local function ids_prune(h, cutoff)
  while true do
    local id, t, stored = ids_front(h)
    if id == nil then
      h.front_t = false
      return
    end
    if t >= cutoff then
      h.front_t = t
      return
    end
    h.known[id] = nil
    if stored then
      h.page_at = h.page_at + 1
      h.popped = h.popped + 1
      h.removed[#h.removed + 1] = id
    else
      h.added_at = h.added_at + 1
    end
  end
end

-- The value remembered with an id (cooldown decisions), or nil.
local function ids_value(h, id)
  return h.known[id]
end

-- Mirror of IdHorizon.add: false when the id is already remembered. The horizon follows the
-- highest time added, so a late straggler is kept a little longer, as in memory.
-- time_text: the input's time as the caller sent it (ARGV), stored as is in the list.
local function ids_add(h, id, t, time_text, value)
  local known = h.known
  if known[id] ~= nil then return false end
  known[id] = value or '1'
  local added = h.added
  local at = #added + 1
  added[at] = id
  h.added_t[at] = t
  h.added_text[at] = time_text
  local v = h.s.v
  local maxt = v.idmax
  if maxt == nil or t > maxt then
    maxt = t
    v.idmax = t
    h.s.dirty.idmax = true
  end
  -- The list's front is older than the cutoff only when the cutoff has passed the known front time.
  local front = h.front_t
  if not front or front < maxt - h.horizon then ids_prune(h, maxt - h.horizon) end
  return true
end

local function ids_save(h)
  -- Deletes first: an id pruned and added again in this call is written back below.
  if #h.removed > 0 then call_chunked('HDEL', h.ids_key, h.removed) end
  if h.popped > 0 then redis.call('LTRIM', h.order_key, 2 * h.popped, -1) end
  local push, set = {}, {}
  for i = h.added_at, #h.added do
    local id = h.added[i]
    push[#push + 1] = h.added_text[i]
    push[#push + 1] = id
    set[#set + 1] = id
    set[#set + 1] = h.known[id]
  end
  if #push > 0 then
    call_chunked('RPUSH', h.order_key, push, 2)
    call_chunked('HSET', h.ids_key, set, 2)
  end
end

-- Wall-clock expiry of every key of the state (retention plus margin, computed by the caller).
local function expire_all(keys, ttl)
  for i = 1, #keys do redis.call('PEXPIRE', keys[i], ttl) end
end
