--[[
cooldown-3.lua: lets a detection of one rule for one subject through at most once per cooldown and
counts the ones held back. Mirrors src/state/memory/cooldown.ts, including its memory of decisions
so a redelivered detection gets the same answer.
KEYS[1] state hash: last, idmax, idlo, fire (event time of the last detection let through), supp
        (held back since), tok (JSON list of the tokens let through since fire, for a rule that
        revokes tokens: another token goes through inside the cooldown, up to tokens_max)
KEYS[2] ids set: the detection ids remembered (see ids_open in shared.lua)
KEYS[3] ids list: "prefixMax,fire,suppressed|id" per remembered detection id (its decision), in
        arrival order
ARGV: dedupHorizonMs, retainMs, ttlMs, cooldownMs, tokensMax, then 3 per input: id, timeMs, token
      ('' for none)
Returns a flat array, per input: duplicate (1/0), fire (1/0), suppressed.
]]
local horizon = tonumber(ARGV[1])
local retain = tonumber(ARGV[2])
local ttl = ARGV[3]
local cooldown_ms = tonumber(ARGV[4])
local tokens_max = tonumber(ARGV[5])
local FIRST, STRIDE = 6, 3

local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, '')
local decided = ids_open(s, KEYS[2], KEYS[3], horizon, FIRST, #ARGV, STRIDE)
local last = s.v.last or -math.huge
local last_fire = s.v.fire or -math.huge
local suppressed = s.v.supp or 0
local tokens = s.v.tok and cjson.decode(s.v.tok) or {}
local function holds(list, x)
  for k = 1, #list do if list[k] == x then return true end end
  return false
end

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
    local token = ARGV[i + 2]
    if t >= last_fire + cooldown_ms then
      fire, supp = true, suppressed
      suppressed = 0
      last_fire = t
      tokens = {}
      if token ~= '' then tokens[1] = token end
    elseif t <= last_fire - cooldown_ms then
      fire, supp = true, suppressed
      suppressed = 0
    elseif token ~= '' and #tokens > 0 and #tokens < tokens_max and not holds(tokens, token) then
      fire, supp = true, 0
      tokens[#tokens + 1] = token
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
if #tokens > 0 then state_set(s, 'tok', cjson.encode(tokens)) else state_set(s, 'tok', nil) end
state_save(s)
expire_all(KEYS, ttl)
return out
