--[[
profile-4.lua: hour-of-week activity profile of one state key over its history. Mirrors
src/state/memory/profile.ts: counts per UTC day and local hour of week, plus a running aggregate.
KEYS[1] state hash: last, first, idmax, idlo, total, agg ("hourOfWeek=count,..." of the aggregate over
        the history, zero counts left out)
KEYS[2] days hash: UTC day index -> "hourOfWeek=count,..." for that day
KEYS[3] ids set: the input ids remembered (dedup memory, see ids_open in shared.lua)
KEYS[4] ids list: "prefixMax|id" per remembered id, in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, historyMs, then 3 per input: id, timeMs, hourOfWeek
Returns a flat array, per input: duplicate (1/0), total, nearHour, firstSeenMs (integers, or %.17g
text when not whole).
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local history_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 3
local DAY_MS = 86400000

local days_key = KEYS[2]
local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local ids = ids_open(s, KEYS[3], KEYS[4], horizon, FIRST, #ARGV, STRIDE)
local v = s.v
local agg = {}
for h = 0, 167 do agg[h] = 0 end
if v.agg then
  for h, c in string.gmatch(v.agg, '(%d+)=(%d+)') do agg[tonumber(h)] = tonumber(c) end
end
local agg_changed = false
local total = v.total or 0
local first = v.first or math.huge
local last = v.last or -math.huge

-- Day index -> counts table, or false until a day's counts are needed.
local days = {}
-- The earliest day with counts: pruning has nothing to do while it is inside the history.
local first_day = math.huge
local day_list = redis.call('HKEYS', days_key)
for i = 1, #day_list do
  local day = tonumber(day_list[i])
  days[day] = false
  if day < first_day then first_day = day end
end
local dirty_days, dead_days = {}, {}

local function day_counts(day)
  local known = days[day]
  if known then return known end
  local counts = {}
  if known == false then
    local text = redis.call('HGET', days_key, day) or ''
    for h, c in string.gmatch(text, '(%d+)=(%d+)') do counts[tonumber(h)] = tonumber(c) end
  end
  days[day] = counts
  return counts
end

local function prune(t)
  local oldest = math.floor((t - history_ms) / DAY_MS)
  if oldest <= first_day then return end
  first_day = math.huge
  local dead = {}
  for day in pairs(days) do
    if day < oldest then dead[#dead + 1] = day
    elseif day < first_day then first_day = day end
  end
  for i = 1, #dead do
    local day = dead[i]
    for h, c in pairs(day_counts(day)) do
      agg[h] = agg[h] - c
      total = total - c
    end
    agg_changed = true
    days[day] = nil
    dirty_days[day] = nil
    dead_days[day] = true
    first = math.max(first, (day + 1) * DAY_MS)
  end
end

-- Events at the same local hour of day, or the hour either side, on any day of the week.
local function near_hour(how)
  local hour = how % 24
  local before, after = (hour + 23) % 24, (hour + 1) % 24
  local count = 0
  for d = 0, 144, 24 do count = count + agg[d + before] + agg[d + hour] + agg[d + after] end
  return count
end

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local t = ARGV[i + 1] * 1
  local how = ARGV[i + 2] * 1
  local fresh = ids_add(ids, ARGV[i], t, ARGV[i + 1])
  prune(t)
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = total
  out[#out + 1] = near_hour(how)
  out[#out + 1] = rnum(math.min(first, t))
  if fresh then
    local day = math.floor(t / DAY_MS)
    if day < first_day then first_day = day end
    local counts = day_counts(day)
    counts[how] = (counts[how] or 0) + 1
    dirty_days[day] = true
    dead_days[day] = nil
    agg[how] = agg[how] + 1
    agg_changed = true
    total = total + 1
    if t < first then first = t end
    if t > last then last = t end
  end
end

local del, set = {}, {}
for day in pairs(dead_days) do del[#del + 1] = day end
for day in pairs(dirty_days) do
  local parts = {}
  for h, c in pairs(days[day]) do parts[#parts + 1] = h .. '=' .. c end
  set[#set + 1] = day
  set[#set + 1] = table.concat(parts, ',')
end
if #del > 0 then call_chunked('HDEL', days_key, del) end
if #set > 0 then call_chunked('HSET', days_key, set, 2) end
if agg_changed then
  local parts = {}
  for h = 0, 167 do
    if agg[h] ~= 0 then parts[#parts + 1] = h .. '=' .. agg[h] end
  end
  if #parts == 0 then state_set(s, 'agg', nil) else state_set(s, 'agg', table.concat(parts, ',')) end
end
ids_save(ids)
state_set(s, 'total', total)
state_set(s, 'first', first)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
