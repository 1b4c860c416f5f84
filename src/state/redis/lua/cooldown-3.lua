--[[
cooldown-3.lua: lets a detection of one rule for one subject through at most once per cooldown and
counts the ones held back. Mirrors src/state/memory/cooldown.ts, including its memory of decisions
so a redelivered detection gets the same answer.
KEYS[1] state hash: last, idmax, idlo, fire (event time of the last detection let through), supp
        (held back since)
KEYS[2] ids set: the detection ids remembered (see ids_open in shared.lua)
KEYS[3] ids list: "prefixMax,fire,suppressed|id" per remembered detection id (its decision), in
        arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, cooldownMs, then 2 per input: id, timeMs
Returns a flat array, per input: duplicate (1/0), fire (1/0), suppressed.
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local cooldown_ms = tonumber(ARGV[4])
local FIRST, STRIDE = 5, 2

local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local decided = ids_open(s, KEYS[2], KEYS[3], horizon, FIRST, #ARGV, STRIDE)
local last = s.v.last or -math.huge
local last_fire = s.v.fire or -math.huge
local suppressed = s.v.supp or 0

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local id = ARGV[i]
  local t = tonumber(ARGV[i + 1])
  local earlier = ids_value(decided, id)
  if earlier then
    local fire, supp = string.match(earlier, '^([^,]*),(.*)$')
    out[#out + 1] = 1
    out[#out + 1] = tonumber(fire)
    out[#out + 1] = tonumber(supp)
  else
    local fire, supp
    if t >= last_fire + cooldown_ms or t <= last_fire - cooldown_ms then
      fire, supp = true, suppressed
      suppressed = 0
      last_fire = math.max(last_fire, t)
    else
      fire, supp = false, 0
      suppressed = suppressed + 1
    end
    if t > last then last = t end
    ids_add(decided, id, t, ARGV[i + 1], flag(fire) .. ',' .. num(supp))
    out[#out + 1] = 0
    out[#out + 1] = flag(fire)
    out[#out + 1] = rnum(supp)
  end
end

ids_save(decided)
state_set(s, 'last', last)
state_set(s, 'fire', last_fire)
state_set(s, 'supp', suppressed)
state_save(s)
expire_all(KEYS, ttl)
return out
