-- Compare-and-set of several states of the cached Redis store (src/state/redis/cache.ts) that
-- share a hash tag, so one call serves a group's states on Redis Cluster too. Each key is checked
-- and written on its own, exactly as cas-1.lua does for one: a refused key does not stop the others.
--
-- KEYS[i]        a state's value: a 20-character version, then the state as JSON
-- ARGV[3i-2]     the version the writer last saw for KEYS[i] ('' when it believes the key absent)
-- ARGV[3i-1]     its new value (its own new version first)
-- ARGV[3i]       its expiry in milliseconds
-- Reply: per key, 1 when written; otherwise {0} (absent) or {0, current value}, nothing written.
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local at = 3 * i - 2
  local current = redis.call('GETRANGE', key, 0, 19)
  if current == ARGV[at] then
    redis.call('SET', key, ARGV[at + 1], 'PX', ARGV[at + 2])
    out[i] = 1
  elseif current == '' then
    out[i] = {0}
  else
    out[i] = {0, redis.call('GET', key)}
  end
end
return out
