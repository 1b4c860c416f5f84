--[[
signal-4.lua: signals feeding one composite rule for one subject: the latest signal of each input
rule, so the composite can ask which of its inputs fired within its span. Mirrors
src/state/memory/signal.ts.
KEYS[1] state hash: last, idmax, idlo
KEYS[2] latest hash: signalling rule -> "timeMs|eventId", and "\1" .. rule -> its reason (absent
        when the signal carried none; state written before reasons existed has none)
KEYS[3] ids set: the input ids remembered (dedup memory, see ids_open in shared.lua)
KEYS[4] ids list: "prefixMax|id" per remembered id, in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, withinMs, then 5 per input: id, timeMs, rule, eventId,
      reason ('' for none)
Returns a flat array, per input: duplicate (1/0), the number n of rules within withinMs, then n
quadruples: rule, timeMs (as it came in), eventId, reason ('' for none).
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local within_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 5

local latest_key = KEYS[2]
local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local ids = ids_open(s, KEYS[3], KEYS[4], horizon, FIRST, #ARGV, STRIDE)
local last = s.v.last or -math.huge

local REASON = '\1'
local latest, reasons = {}, {}
local flat = redis.call('HGETALL', latest_key)
for i = 1, #flat, 2 do
  local field = flat[i]
  if string.sub(field, 1, 1) == REASON then
    reasons[string.sub(field, 2)] = flat[i + 1]
  else
    local time, event_id = string.match(flat[i + 1], '^([^|]*)|(.*)$')
    latest[field] = { t = tonumber(time), time = time, event_id = event_id }
  end
end
for rule, x in pairs(latest) do x.reason = reasons[rule] or '' end

local changed = {}
local out = {}
for i = FIRST, #ARGV, STRIDE do
  local t = ARGV[i + 1] * 1
  local rule = ARGV[i + 2]
  local fresh = ids_add(ids, ARGV[i], t, ARGV[i + 1])
  if fresh then
    local prev = latest[rule]
    if prev == nil or t >= prev.t then
      latest[rule] = { t = t, time = ARGV[i + 1], event_id = ARGV[i + 3], reason = ARGV[i + 4] }
      changed[rule] = true
    end
    if t > last then last = t end
  end
  out[#out + 1] = flag(not fresh)
  local count_at = #out + 1
  out[count_at] = '0'
  local count = 0
  for r, x in pairs(latest) do
    if math.abs(t - x.t) <= within_ms then
      count = count + 1
      out[#out + 1] = r
      out[#out + 1] = x.time
      out[#out + 1] = x.event_id
      out[#out + 1] = x.reason
    end
  end
  out[count_at] = count
end

local set, unset = {}, {}
for rule in pairs(changed) do
  local x = latest[rule]
  set[#set + 1] = rule
  set[#set + 1] = x.time .. '|' .. x.event_id
  if x.reason ~= '' then
    set[#set + 1] = REASON .. rule
    set[#set + 1] = x.reason
  else
    unset[#unset + 1] = REASON .. rule
  end
end
if #set > 0 then call_chunked('HSET', latest_key, set, 2) end
if #unset > 0 then redis.call('HDEL', latest_key, unpack(unset)) end
ids_save(ids)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
