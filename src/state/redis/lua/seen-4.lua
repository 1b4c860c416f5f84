--[[
seen-4.lua: the values (countries, networks, devices) one group has used, each remembered until its
last use falls out of the history. Mirrors src/state/memory/seen.ts.
KEYS[1] state hash: last, first, idmax
KEYS[2] values hash: value -> event time of its last use
KEYS[3] ids hash: input id -> event time (dedup memory)
KEYS[4] ids list: input ids in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, historyMs, then 3 per input: id, timeMs, value
Returns a flat array of strings, per input: duplicate ('1'/'0'), seenBefore ('1'/'0'), known,
firstSeenMs.
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local history_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 3

local values_key, ids_key, order_key = KEYS[2], KEYS[3], KEYS[4]
local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local first = s.v.first or math.huge
local last = s.v.last or -math.huge

local last_use, known = {}, 0
local flat = redis.call('HGETALL', values_key)
for i = 1, #flat, 2 do
  last_use[flat[i]] = tonumber(flat[i + 1])
  known = known + 1
end

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local t = tonumber(ARGV[i + 1])
  local value = ARGV[i + 2]
  local fresh = ids_add(s, ids_key, order_key, ARGV[i], t, horizon)
  local cutoff = t - history_ms
  local dead = {}
  for x, used in pairs(last_use) do
    if used < cutoff then dead[#dead + 1] = x end
  end
  for j = 1, #dead do
    last_use[dead[j]] = nil
    known = known - 1
    redis.call('HDEL', values_key, dead[j])
  end
  local prev = last_use[value]
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = flag(prev ~= nil)
  out[#out + 1] = num(known)
  out[#out + 1] = num(math.min(first, t))
  if fresh then
    if prev == nil or t > prev then
      if prev == nil then known = known + 1 end
      last_use[value] = t
      redis.call('HSET', values_key, value, num(t))
    end
    if t < first then first = t end
    if t > last then last = t end
  end
end

state_set(s, 'first', first)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
