--[[
ledger-record-n.lua: records event ids whose batch is durable in the redelivery ledger of `guardrail run`
(src/kafka/ledger.ts), for the dedup horizon. Ids that share a hash tag (one call per tag).
KEYS[1..n] one ledger key per event id: <prefix>:{done<bucket>}:<event id>
ARGV[1]    the horizon in milliseconds (PX)
Returns the number of ids recorded.
]]
for i = 1, #KEYS do redis.call('SET', KEYS[i], '1', 'PX', ARGV[1]) end
return #KEYS
