--[[
travel-3.lua: the last few positions of one group, for impossible-travel checks, so an event slightly
out of order is compared with the position that really came before it. Mirrors
src/state/memory/travel.ts.
KEYS[1] state hash: last, idmax, idlo, pos (JSON array, oldest first, of [id, timeMs, lat, lon,
        hasCountry, country], all strings so no digit is lost)
KEYS[2] ids set: the input ids remembered (dedup memory, see ids_open in shared.lua)
KEYS[3] ids list: "prefixMax|id" per remembered id, in arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, positionsKept, then 6 per input: id, timeMs, lat, lon,
      hasCountry ('1'/'0'), country
Returns a flat array, per input: duplicate (1/0), hasPrevious (1/0), and when 1 the previous
position's id, timeMs, lat, lon, hasCountry ('1'/'0') and country, as the strings they came in.
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local kept = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 6

local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local ids = ids_open(s, KEYS[2], KEYS[3], horizon, FIRST, #ARGV, STRIDE)
local last = s.v.last or -math.huge

local positions = {}
if s.v.pos then
  local stored = cjson.decode(s.v.pos)
  for i = 1, #stored do
    local p = stored[i]
    positions[i] = { id = p[1], t = tonumber(p[2]), time = p[2], lat = p[3], lon = p[4], hc = p[5], country = p[6] }
  end
end
local changed = false

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local id = ARGV[i]
  local t = ARGV[i + 1] * 1
  local fresh = ids_add(ids, id, t, ARGV[i + 1])
  local cutoff = t - retain
  local prev = nil
  for j = 1, #positions do
    local p = positions[j]
    if p.t > t then break end
    if p.t >= cutoff and p.id ~= id then prev = p end
  end
  out[#out + 1] = flag(not fresh)
  if prev then
    out[#out + 1] = 1
    out[#out + 1] = prev.id
    out[#out + 1] = prev.time
    out[#out + 1] = prev.lat
    out[#out + 1] = prev.lon
    out[#out + 1] = prev.hc
    out[#out + 1] = prev.country
  else
    out[#out + 1] = 0
  end
  if fresh then
    local at = #positions + 1
    for j = 1, #positions do
      if positions[j].t > t then
        at = j
        break
      end
    end
    table.insert(positions, at, { id = id, t = t, time = ARGV[i + 1], lat = ARGV[i + 2], lon = ARGV[i + 3], hc = ARGV[i + 4], country = ARGV[i + 5] })
    if #positions > kept then table.remove(positions, 1) end
    changed = true
    if t > last then last = t end
  end
end

if changed then
  local stored = {}
  for i = 1, #positions do
    local p = positions[i]
    stored[i] = { p.id, p.time, p.lat, p.lon, p.hc, p.country }
  end
  state_set(s, 'pos', cjson.encode(stored))
end
ids_save(ids)
state_set(s, 'last', last)
state_save(s)
expire_all(KEYS, ttl)
return out
