--[[
seen-4.lua: the values (countries, networks, devices) one group has used, each remembered until its
last use falls out of the history. Mirrors src/state/memory/seen.ts.
KEYS[1] state hash: last, first, idmax, idlo, adds (values added so far, the order of the last addition)
KEYS[2] values hash: value -> "lastUse|order|id": event time of its last use, and the order of its
  addition and the input id that added it (since it was last absent). An input that comes again
  reports what it saw the first time: when it added the value, not seen before, and known the
  values added before it. Fields written before 2026-12-03 hold "lastUse" alone: added before anything.
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
local adds = s.v.adds or 0

-- At most the earliest last use among the values: nothing to forget while it is inside the history.
local last_use, last_text, order, added_by, known, oldest = {}, {}, {}, {}, 0, math.huge
local flat = redis.call('HGETALL', values_key)
for i = 1, #flat, 2 do
  local text = flat[i + 1]
  local bar = string.find(text, '|', 1, true)
  local used_text = text
  if bar then
    used_text = string.sub(text, 1, bar - 1)
    local bar2 = string.find(text, '|', bar + 1, true)
    order[flat[i]] = tonumber(string.sub(text, bar + 1, bar2 - 1))
    added_by[flat[i]] = string.sub(text, bar2 + 1)
  end
  local used = tonumber(used_text)
  last_use[flat[i]] = used
  last_text[flat[i]] = used_text
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
        order[x] = nil
        added_by[x] = nil
        known = known - 1
        changed[x] = nil
        dead[x] = true
      elseif used < oldest then
        oldest = used
      end
    end
  end
  local prev = last_use[value]
  local seen_before, known_before = prev ~= nil, known
  if not fresh and prev ~= nil and added_by[value] == ARGV[i] then
    -- This input added the value (see KEYS[2]).
    seen_before = false
    known_before = 0
    for x in pairs(last_use) do
      if (order[x] or -1) < order[value] then known_before = known_before + 1 end
    end
  end
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = flag(seen_before)
  out[#out + 1] = known_before
  out[#out + 1] = rnum(math.min(first, t))
  if fresh then
    if prev == nil then
      adds = adds + 1
      order[value] = adds
      added_by[value] = ARGV[i]
      changed[value] = true
    end
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
  if order[x] then
    set[#set + 1] = last_text[x] .. '|' .. order[x] .. '|' .. added_by[x]
  else
    set[#set + 1] = last_text[x]
  end
end
if #del > 0 then call_chunked('HDEL', values_key, del) end
if #set > 0 then call_chunked('HSET', values_key, set, 2) end
ids_save(ids)
state_set(s, 'first', first)
state_set(s, 'last', last)
if adds > 0 then state_set(s, 'adds', adds) end
state_save(s)
expire_all(KEYS, ttl)
return out
