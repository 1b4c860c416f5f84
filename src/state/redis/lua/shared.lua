--[[
shared.lua: the prelude the loader (../scripts.ts) puts in front of every script, since Redis
scripts cannot import one another. Helpers only: exact number text, chunked variadic commands, the
per-key state hash with the memory store's idle reset, the id horizon (mirror of src/state/ids.ts)
and key expiry. Numbers go to redis.call as Lua numbers where they can: Redis writes them as %.17g
text, exact, without a Lua string being made. Every helper reads and writes Redis a bounded number of times per script call,
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

-- Booleans as integer replies (no Lua string to make).
local function flag(b)
  if b then return 1 end
  return 0
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
    if TEXT_FIELDS[f] then v[f] = flat[i + 1] else v[f] = flat[i + 1] * 1 end
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
      -- Redis writes a Lua number as %.17g text itself, which reads back as the same double.
      set[#set + 1] = x
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
The id horizon of one key, a mirror of IdHorizon, in a set of ids (membership) and a list of entries
"prefixMax|id" (for the cooldown "prefixMax,decision|id") in arrival order. An id's prefix max is the
highest time added to the key up to and including that id (state field idmax just after the add),
as the time text the caller sent. IdHorizon forgets ids from the front of the arrival order while
the oldest is older than the highest time added minus the horizon. The prefix max never decreases
along the arrival order, so an id is forgotten exactly when its prefix max is below that cutoff (the
first id at or past the cutoff holds back every id behind it, as the queue does: a late straggler is
kept a little longer). Entries past the cutoff count as absent and are deleted lazily, from the front
of the list, once the front (state field idlo) is a quarter horizon behind the cutoff: at most 1.25
horizons of ids are kept.
A call asks the set about its own input ids (SMISMEMBER: a hash table lookup each, whatever the size)
and reads the list only when one of them is there (a redelivery, or an id older than the horizon
seen again), to learn its prefix max; new ids cost one SADD and one RPUSH per call.
]]
local function ids_open(s, set_key, list_key, horizon, first, last, stride)
  -- present: id -> whether the set has it (false until asked).
  local ids, n, present, found = {}, 0, {}, false
  for i = first, last, stride do
    local id = ARGV[i]
    if present[id] == nil then
      present[id] = false
      n = n + 1
      ids[n] = id
    end
  end
  for i = 1, n, CHUNK do
    local part = redis.call('SMISMEMBER', set_key, unpack(ids, i, math.min(i + CHUNK - 1, n)))
    for j = 1, #part do
      if part[j] == 1 then
        present[ids[i + j - 1]] = true
        found = true
      end
    end
  end
  -- id -> prefix max, remembered value and stored entry, for the input ids the set knows.
  local known, values, entry = {}, {}, {}
  if found then
    local all = redis.call('LRANGE', list_key, 0, -1)
    for i = 1, #all do
      local e = all[i]
      local bar = string.find(e, '|', 1, true)
      local id = string.sub(e, bar + 1)
      if present[id] then
        local head = string.sub(e, 1, bar - 1)
        local c = string.find(head, ',', 1, true)
        if c then
          known[id] = tonumber(string.sub(head, 1, c - 1))
          values[id] = string.sub(head, c + 1)
        else
          known[id] = tonumber(head)
        end
        entry[id] = e
      end
    end
  end
  local max = s.v.idmax
  return {
    s = s, set_key = set_key, list_key = list_key, horizon = horizon,
    present = present, known = known, values = values, entry = entry,
    max = max, max_text = max and num(max),
    push = {}, pushed = {}, sadd = {}, rem = {},
  }
end

-- Whether the id is remembered now (added, and not yet forgotten by the horizon).
local function ids_has(h, id)
  local pm = h.known[id]
  return pm ~= nil and h.max ~= nil and pm >= h.max - h.horizon
end

-- The value remembered with an id (the cooldown's decision) while the id is remembered, else nil.
local function ids_value(h, id)
  if ids_has(h, id) then return h.values[id] end
  return nil
end

-- Mirror of IdHorizon.add: false when the id is already remembered. The horizon follows the
-- highest time added, so a late straggler is kept a little longer, as in memory.
-- time_text: the input's time as the caller sent it (ARGV), stored as the prefix max when it is one.
local function ids_add(h, id, t, time_text, value)
  local max = h.max
  local pm = h.known[id]
  if pm ~= nil and max ~= nil and pm >= max - h.horizon then return false end
  if max == nil or t > max then
    max = t
    h.max = t
    h.max_text = time_text
  end
  -- An id forgotten but not yet deleted: its old entry goes (it lies in the forgotten front).
  local old = h.entry[id]
  if old then
    h.rem[#h.rem + 1] = old
    h.entry[id] = nil
  end
  local at = h.pushed[id]
  if at then h.push[at] = false end
  local e
  if value then e = h.max_text .. ',' .. value .. '|' .. id else e = h.max_text .. '|' .. id end
  h.push[#h.push + 1] = e
  h.pushed[id] = #h.push
  h.known[id] = max
  h.values[id] = value
  if not h.present[id] then
    h.present[id] = true
    h.sadd[#h.sadd + 1] = id
  end
  return true
end

-- Writes the call's new ids, then deletes entries past the cutoff from the front of the list when
-- the front may be a quarter horizon behind it. Nothing to do when nothing was added.
local function ids_save(h)
  local push = h.push
  if #push == 0 then return end
  local s = h.s
  for i = 1, #h.rem do redis.call('LREM', h.list_key, 1, h.rem[i]) end
  local kept = {}
  for i = 1, #push do
    if push[i] then kept[#kept + 1] = push[i] end
  end
  call_chunked('RPUSH', h.list_key, kept)
  if #h.sadd > 0 then call_chunked('SADD', h.set_key, h.sadd) end
  local cutoff = h.max - h.horizon
  local lo = s.v.idlo
  if lo == nil then
    lo = tonumber(string.match(kept[1], '^[^,|]*'))
  elseif lo < cutoff - h.horizon / 4 then
    local gone, read, page = {}, 0, 32
    lo = nil
    while lo == nil do
      local entries = redis.call('LRANGE', h.list_key, read, read + page - 1)
      for i = 1, #entries do
        local e = entries[i]
        local pm = tonumber(string.match(e, '^[^,|]*'))
        if pm >= cutoff then
          lo = pm
          break
        end
        gone[#gone + 1] = string.sub(e, string.find(e, '|', 1, true) + 1)
      end
      read = read + #entries
      if lo == nil and #entries < page then break end
      page = page * 4
    end
    if #gone > 0 then
      redis.call('LTRIM', h.list_key, #gone, -1)
      call_chunked('SREM', h.set_key, gone)
    end
  end
  state_set(s, 'idmax', h.max)
  state_set(s, 'idlo', lo)
end

-- Wall-clock expiry of every key of the state (retention plus margin, computed by the caller).
local function expire_all(keys, ttl)
  for i = 1, #keys do redis.call('PEXPIRE', keys[i], ttl) end
end
