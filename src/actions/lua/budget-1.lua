--[[
budget-1.lua: the revocation budget, a sliding window of restricting actions shared by every
instance of the processor. An action id already admitted inside the window is admitted again (a
redelivered batch does not spend the budget twice); a new id is admitted while fewer than the limit
were admitted in the last window, else held.
KEYS[1] sorted set: admitted action id -> wall-clock time (ms) it was admitted
ARGV: nowMs, windowMs, limit, then the action ids
Returns an array of '1' (admitted) or '0' (held), one per id.
]]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local key = KEYS[1]

redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local used = redis.call('ZCARD', key)
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if redis.call('ZSCORE', key, id) then
    out[#out + 1] = '1'
  elseif used < limit then
    redis.call('ZADD', key, now, id)
    used = used + 1
    out[#out + 1] = '1'
  else
    out[#out + 1] = '0'
  end
end
redis.call('PEXPIRE', key, window * 2)
return out
