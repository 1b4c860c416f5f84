--[[
seen-4.lua: the values (countries, networks, devices) one group has used, each remembered until its
last use falls out of the history. Mirrors src/state/memory/seen.ts.
KEYS[1] state hash: last, first, idmax, idlo
KEYS[2] values hash: value -> event time of its last use
KEYS[3] ids set: the input ids remembered (dedup memory, see ids_open in shared.lua)
KEYS[4] ids list: "prefixMax|id" per remembered id, in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, historyMs, then 3 per input: id, timeMs, value
Returns a flat array, per input: duplicate (1/0), seenBefore (1/0), known, firstSeenMs (an integer,
or %.17g text when not whole).
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local history_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 3

local values_key = KEYS[2]
local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local ids = ids_open(s, KEYS[3], KEYS[4], horizon, FIRST, #ARGV, STRIDE)
local first = s.v.first or math.huge
local last = s.v.last or -math.huge

-- At most the earliest last use among the values: nothing to forget while it is inside the history.
local last_use, last_text, known, oldest = {}, {}, 0, math.huge
local flat = redis.call('HGETALL', values_key)
for i = 1, #flat, 2 do
  local used = tonumber(flat[i + 1])
  last_use[flat[i]] = used
  last_text[flat[i]] = flat[i + 1]
  known = known + 1
  if used < oldest then oldest = used end
end
local changed, dead = {}, {}

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local t = ARGV[i + 1] * 1
  local value = ARGV[i + 2]
  local fresh = ids_add(ids, ARGV[i], t, ARGV[i + 1])
  local cutoff = t - history_ms
  if oldest < cutoff then
    oldest = math.huge
    for x, used in pairs(last_use) do
      if used < cutoff then
        last_use[x] = nil
        known = known - 1
        changed[x] = nil
        dead[x] = true
      elseif used < oldest then
        oldest = used
      end
    end
  end
  local prev = last_use[value]
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = flag(prev ~= nil)
  out[#out + 1] = known
  out[#out + 1] = rnum(math.min(first, t))
  if fresh then
    if prev == nil or t > prev then
      if prev == nil then known = known + 1 end
      last_use[value] = t
      last_text[value] = ARGV[i + 1]
      if t < oldest then oldest = t end
      changed[value] = true
      dead[value] = nil
    end
    if t < first then first = t end
    if t > last then last = t end
  end
end

local set, del = {}, {}
for x in pairs(dead) do del[#del + 1] = x end
for x in pairs(changed) do
  set[#set + 1] = x
  set[#set + 1] = last_text[x]
end
if #del > 0 then call_chunked('HDEL', values_key, del) end
if #set > 0 then call_chunked('HSET', values_key, set, 2) end
ids_save(ids)
state_set(s, 'first', first)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
