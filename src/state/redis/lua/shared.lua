--[[
shared.lua: the prelude the loader (../scripts.ts) puts in front of every script, since Redis
scripts cannot import one another. Helpers only: exact number text, the per-key state hash with
the memory store's idle reset, the id horizon (mirror of src/state/ids.ts) and key expiry.
KEYS, ARGV: none of its own. Returns: nothing.
]]

-- %.17g round-trips every IEEE double, so JavaScript reads back the very number Lua computed
-- (Lua's own tostring keeps 14 digits only).
local function num(x)
  return string.format('%.17g', x)
end

local function flag(b)
  if b then return '1' end
  return '0'
end

-- Fields of a state hash that hold text; every other field holds a number.
local TEXT_FIELDS = { spec = true, pos = true }

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

-- The oldest remembered id of each ids list and its time, cached for the call: nearly every add
-- checks it and nearly none forgets it, so it is read from Redis once per call, not per input.
local oldest_cache = {}

local function oldest_of(ids_key, order_key)
  local o = oldest_cache[order_key]
  if o == nil then
    local id = redis.call('LINDEX', order_key, 0)
    if id then
      local value = redis.call('HGET', ids_key, id)
      o = { id = id, t = value and tonumber(string.match(value, '^[^,]*')) or -math.huge }
    else
      o = false
    end
    oldest_cache[order_key] = o
  end
  return o
end

-- Forgets ids in arrival order while the oldest is older than cutoff. Values start with the time.
local function ids_prune(ids_key, order_key, cutoff)
  while true do
    local o = oldest_of(ids_key, order_key)
    if not o or o.t >= cutoff then return end
    redis.call('LPOP', order_key)
    redis.call('HDEL', ids_key, o.id)
    oldest_cache[order_key] = nil
  end
end

-- Appends an id to the arrival order (its hash entry is already written).
local function ids_push(order_key, id, t)
  redis.call('RPUSH', order_key, id)
  if oldest_cache[order_key] == false then oldest_cache[order_key] = { id = id, t = t } end
end

-- Mirror of IdHorizon.add: false when the id is already remembered. The horizon follows the
-- highest time added (state field idmax), so a late straggler is kept a little longer, as in memory.
local function ids_add(s, ids_key, order_key, id, t, horizon)
  if redis.call('HSETNX', ids_key, id, num(t)) == 0 then return false end
  ids_push(order_key, id, t)
  local maxt = s.v.idmax
  if maxt == nil or t > maxt then
    maxt = t
    state_set(s, 'idmax', t)
  end
  ids_prune(ids_key, order_key, maxt - horizon)
  return true
end

-- Wall-clock expiry of every key of the state (retention plus margin, computed by the caller).
local function expire_all(keys, ttl)
  for i = 1, #keys do redis.call('PEXPIRE', keys[i], ttl) end
end
