--[[
window-5.lua: sliding window sums on event time for one state key, with the learned baseline of
per-bucket peaks. Mirrors src/state/memory/window.ts input by input, so the numbers are the same.
KEYS[1] state hash: last, first, idmax, head, rc/rb/rr (running sums at head), lo (lowest slot that
        may exist), spec (signature; a different one starts the key afresh)
KEYS[2] slots hash: slot index -> "count,bytes,records"
KEYS[3] peaks hash: bucket index -> largest window sum of the metric at an input in that bucket
KEYS[4] ids hash: input id -> event time (dedup memory)
KEYS[5] ids list: input ids in arrival order (the order they are forgotten in)
ARGV: dedupHorizonMs, latenessMs, retainMs, ttlMs, specSignature, windowMs, slotMs,
      metric ('' when there is no baseline), bucketMs, historyMs,
      then 4 per input: id, timeMs, bytes, records
Returns a flat array of strings, per input: duplicate ('1'/'0'), count, bytes, records, and with a
baseline also median, mad, max, samples, spanMs. Numbers as %.17g text (exact doubles).
]]
local horizon = tonumber(ARGV[1])
local lateness = tonumber(ARGV[2])
local retain = tonumber(ARGV[3])
local ttl = ARGV[4]
local sig = ARGV[5]
local window_ms = tonumber(ARGV[6])
local slot_ms = tonumber(ARGV[7])
local metric = ARGV[8]
local bucket_ms = tonumber(ARGV[9])
local history_ms = tonumber(ARGV[10])
local FIRST, STRIDE = 11, 4

local st_key, slots_key, peaks_key, ids_key, order_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local n = window_ms / slot_ms
local late_slots = math.ceil(lateness / slot_ms)

local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, sig)
local v = s.v
local head = v.head or -math.huge
local rc, rb, rr = v.rc or 0, v.rb or 0, v.rr or 0
local last = v.last or -math.huge
local first = v.first or math.huge
local lo = v.lo

local function parse_slot(x)
  local c, b, r = string.match(x, '^([^,]*),([^,]*),(.*)$')
  return tonumber(c), tonumber(b), tonumber(r)
end

local function read_slot(k)
  local x = redis.call('HGET', slots_key, num(k))
  if not x then return nil end
  return parse_slot(x)
end

-- Forgets every slot below keep_from. lo bounds the slots from below, so a short step of the head
-- costs a few deletes; a long jump reads the (bounded) slot list instead of walking the gap.
local function prune_slots(keep_from)
  if lo == nil or lo >= keep_from then return end
  if keep_from - lo <= redis.call('HLEN', slots_key) then
    for k = lo, keep_from - 1 do redis.call('HDEL', slots_key, num(k)) end
  else
    local ks = redis.call('HKEYS', slots_key)
    for i = 1, #ks do
      if tonumber(ks[i]) < keep_from then redis.call('HDEL', slots_key, ks[i]) end
    end
  end
  lo = keep_from
end

local function advance(sl)
  if head == -math.huge or sl - head >= n then
    rc, rb, rr = 0, 0, 0
  else
    for leaving = head - n + 1, sl - n do
      local c, b, r = read_slot(leaving)
      if c then
        rc = rc - c
        rb = rb - b
        rr = rr - r
      end
    end
  end
  head = sl
  prune_slots(sl - n - late_slots)
end

local function add(sl, bytes, records)
  if sl > head then advance(sl) end
  local c, b, r = read_slot(sl)
  if not c then
    c, b, r = 0, 0, 0
    if lo == nil or sl < lo then lo = sl end
  end
  c = c + 1
  b = b + bytes
  r = r + records
  redis.call('HSET', slots_key, num(sl), num(c) .. ',' .. num(b) .. ',' .. num(r))
  if sl > head - n then
    rc = rc + 1
    rb = rb + bytes
    rr = rr + records
  end
end

local function sum_window_at(sl)
  local c, b, r = 0, 0, 0
  local k = sl - n + 1
  while k <= sl do
    local fields = {}
    while k <= sl and #fields < 1000 do
      fields[#fields + 1] = num(k)
      k = k + 1
    end
    local xs = redis.call('HMGET', slots_key, unpack(fields))
    for i = 1, #fields do
      if xs[i] then
        local sc, sb, sr = parse_slot(xs[i])
        c = c + sc
        b = b + sb
        r = r + sr
      end
    end
  end
  return c, b, r
end

-- Baseline peaks live in a Lua table for the call; every change is written through.
local peaks = nil
local cache_bucket, cache_stats = nil, nil

local function load_peaks()
  peaks = {}
  local flat = redis.call('HGETALL', peaks_key)
  for i = 1, #flat, 2 do peaks[tonumber(flat[i])] = tonumber(flat[i + 1]) end
end

-- simple-statistics' median: the middle order statistic, or lower + 0.5 * (upper - lower).
local function median_of(xs)
  table.sort(xs)
  local idx = (#xs - 1) * 0.5
  if idx % 1 ~= 0 then
    local lower = math.floor(idx)
    return xs[lower + 1] + (idx - lower) * (xs[lower + 2] - xs[lower + 1])
  end
  return xs[idx + 1]
end

-- Statistics of the completed buckets in the history before bucket; older peaks are forgotten.
local function stats_before(bucket)
  if cache_bucket == bucket then return cache_stats end
  local from = bucket - math.floor(history_ms / bucket_ms)
  local samples, dead = {}, {}
  for b, peak in pairs(peaks) do
    if b < from then dead[#dead + 1] = b
    elseif b < bucket then samples[#samples + 1] = peak end
  end
  for i = 1, #dead do
    peaks[dead[i]] = nil
    redis.call('HDEL', peaks_key, num(dead[i]))
  end
  local stats
  if #samples == 0 then
    stats = { num(0), num(0), num(0), '0' }
  else
    local max = samples[1]
    for i = 2, #samples do
      if samples[i] > max then max = samples[i] end
    end
    local sorted = {}
    for i = 1, #samples do sorted[i] = samples[i] end
    local med = median_of(sorted)
    local devs = {}
    for i = 1, #samples do devs[i] = math.abs(samples[i] - med) end
    stats = { num(med), num(median_of(devs)), num(max), num(#samples) }
  end
  cache_bucket, cache_stats = bucket, stats
  return stats
end

local function record_peak(bucket, value)
  local prev = peaks[bucket]
  if prev == nil or value > prev then
    peaks[bucket] = value
    redis.call('HSET', peaks_key, num(bucket), num(value))
    -- An out-of-order input can raise a peak the cached statistics already used.
    if cache_bucket ~= nil and bucket < cache_bucket then cache_bucket = nil end
  end
end

local out = {}
for i = FIRST, #ARGV, STRIDE do
  local id = ARGV[i]
  local t = tonumber(ARGV[i + 1])
  local fresh = ids_add(s, ids_key, order_key, id, t, horizon)
  local sl = math.floor(t / slot_ms)
  if fresh then add(sl, tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])) end
  if t > last then last = t end
  if t < first then first = t end
  local c, b, r
  if sl == head then c, b, r = rc, rb, rr else c, b, r = sum_window_at(sl) end
  out[#out + 1] = flag(not fresh)
  out[#out + 1] = num(c)
  out[#out + 1] = num(b)
  out[#out + 1] = num(r)
  if metric ~= '' then
    if peaks == nil then load_peaks() end
    local bucket = math.floor(t / bucket_ms)
    local stats = stats_before(bucket)
    for j = 1, 4 do out[#out + 1] = stats[j] end
    out[#out + 1] = num(t - first)
    if fresh then
      local value = r
      if metric == 'count' then value = c elseif metric == 'bytes' then value = b end
      record_peak(bucket, value)
    end
  end
end

state_set(s, 'head', head)
state_set(s, 'rc', rc)
state_set(s, 'rb', rb)
state_set(s, 'rr', rr)
state_set(s, 'last', last)
state_set(s, 'first', first)
state_set(s, 'lo', lo)
state_save(s)
expire_all(KEYS, ttl)
return out
