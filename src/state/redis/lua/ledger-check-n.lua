--[[
ledger-check-n.lua: which event ids the redelivery ledger of `guardrail run` holds (src/kafka/ledger.ts).
The caller passes ids that share a hash tag (one call per tag), so the script runs unchanged on Redis Cluster.
KEYS[1..n] one ledger key per event id: <prefix>:{done<bucket>}:<event id>
Returns an array of n integers: 1 when the id's batch was made durable within the horizon, else 0.
]]
local out = {}
for i = 1, #KEYS do out[i] = redis.call('EXISTS', KEYS[i]) end
return out
