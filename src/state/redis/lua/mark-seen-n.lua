--[[
mark-seen-n.lua: marks event ids as seen on the stream (RedisStore.markSeen), each for the horizon
in wall-clock time, and says which were already marked. One key per id; the caller passes ids that
share a hash tag (one call per tag), so the script runs unchanged on Redis Cluster.
KEYS[1..n] one marker key per event id: <prefix>:{ev<bucket>}:event:<horizonMs>:<event id>
ARGV: horizonMs (the markers' PX), then n event times (the markers' values, for inspection)
Returns an array of n integers: 1 when the id was marked before (a duplicate), 0 when marked now.
]]
local px = ARGV[1]
local out = {}
for i = 1, #KEYS do
  if redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', px, 'NX') then out[i] = 0 else out[i] = 1 end
end
return out
