-- Compare-and-set of one state of the cached Redis store (src/state/redis/cache.ts): the state is
-- worked out in the process, and this writes it only if nobody wrote the key since the writer last
-- read or wrote it. No state logic here: that is the memory store's, byte for byte the same.
--
-- KEYS[1]  the state's value: a 20-character version, then the state as JSON
-- ARGV[1]  the version the writer last saw ('' when it believes the key absent)
-- ARGV[2]  the new value (its own new version first)
-- ARGV[3]  expiry in milliseconds
-- Reply: 1 when written. Otherwise nothing is written and the reply is {0} when the key is absent,
-- or {0, current value} for the writer to start again from.
local current = redis.call('GETRANGE', KEYS[1], 0, 19)
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
if current == '' then return {0} end
return {0, redis.call('GET', KEYS[1])}
