--[[
profile-4.lua: hour-of-week activity profile of one state key over its history. Mirrors
src/state/memory/profile.ts: counts per UTC day and local hour of week, plus a running aggregate.
KEYS[1] state hash: last, first, idmax, total, a0..a167 (aggregate per hour of week, 0 omitted)
KEYS[2] days hash: UTC day index -> "hourOfWeek=count,..." for that day
KEYS[3] ids hash: input id -> event time (dedup memory)
KEYS[4] ids list: input ids in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, historyMs, then 3 per input: id, timeMs, hourOfWeek
Returns a flat array of strings, per input: duplicate ('1'/'0'), total, nearHour, firstSeenMs.
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local history_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 3
local DAY_MS = 86400000

local days_key, ids_key, order_key = KEYS[2], KEYS[3], KEYS[4]
local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local v = s.v
local agg = {}
for h = 0, 167 do agg[h] = v['a' .. h] or 0 end
local total = v.total or 0
local first = v.first or math.huge
local last = v.last or -math.huge

-- Day index -> counts table, or false until a day's counts are needed.
local days = {}
local day_list = redis.call('HKEYS', days_key)
for i = 1, #day_list do days[tonumber(day_list[i])] = false end
local dirty_days = {}

local function day_counts(day)
  local known = days[day]
  if known then return known end
  local counts = {}
  if known == false then
    local text = redis.call('HGET', days_key, num(day)) or ''
    for h, c in string.gmatch(text, '(%d+)=(%d+)') do counts[tonumber(h)] = tonumber(c) end
  end
  days[day] = counts
  return counts
end

local function prune(t)
  local oldest = math.floor((t - history_ms) / DAY_MS)
  local dead = {}
  for day in pairs(days) do
    if day < oldest then dead[#dead + 1] = day end
  end
  for i = 1, #dead do
    local day = dead[i]
    for h, c in pairs(day_counts(day)) do
      agg[h] = agg[h] - c
      total = total - c
    end
    days[day] = nil
    dirty_days[day] = nil
    redis.call('HDEL', days_key, num(day))
    first = math.max(first, (day + 1) * DAY_MS)
  end
end

-- Events at the same local hour of day, or the hour either side, on any day of the week.
local function near_hour(how)
  local hour = how % 24
  local count = 0
  for d = 0, 6 do
    for dh = -1, 1 do count = count + agg[d * 24 + ((hour + dh + 24) % 24)] end
  end
  return count
end

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local t = tonumber(ARGV[i + 1])
  local how = tonumber(ARGV[i + 2])
  local fresh = ids_add(s, ids_key, order_key, ARGV[i], t, horizon)
  prune(t)
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = num(total)
  out[#out + 1] = num(near_hour(how))
  out[#out + 1] = num(math.min(first, t))
  if fresh then
    local day = math.floor(t / DAY_MS)
    local counts = day_counts(day)
    counts[how] = (counts[how] or 0) + 1
    dirty_days[day] = true
    agg[how] = agg[how] + 1
    total = total + 1
    if t < first then first = t end
    if t > last then last = t end
  end
end

for day in pairs(dirty_days) do
  local parts = {}
  for h, c in pairs(days[day]) do parts[#parts + 1] = num(h) .. '=' .. num(c) end
  redis.call('HSET', days_key, num(day), table.concat(parts, ','))
end
for h = 0, 167 do
  local stored = v['a' .. h] or 0
  if agg[h] ~= stored then
    if agg[h] == 0 then state_set(s, 'a' .. h, nil) else state_set(s, 'a' .. h, agg[h]) end
  end
end
state_set(s, 'total', total)
state_set(s, 'first', first)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
