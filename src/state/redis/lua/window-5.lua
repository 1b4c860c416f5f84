--[[
window-5.lua: sliding window sums on event time for one state key, with the learned baseline of
per-bucket peaks. Mirrors src/state/memory/window.ts input by input, so the numbers are the same.
KEYS[1] state hash: last, first, idmax, idlo, head, rc/rb/rr (running sums at head), lo (lowest slot that
        may exist), spec (signature; a different one starts the key afresh), cb and cs (bucket and
        "median,mad,max,samples" of the cached baseline statistics, as the memory class caches them),
        gb, gm and gn (bucket, largest peak and active buckets of the growth cap's history, as the
        memory class caches them; numbers, so a script without the cap ignores them)
KEYS[2] slots hash: slot index -> count, bytes, records (binary: struct '<d' field, '<ddd' value,
        so no number is formatted or parsed as text)
KEYS[3] peaks hash: bucket index -> largest window sum of the metric at an input in that bucket
        (binary: struct '<d' field and value)
KEYS[4] ids set: the input ids remembered (dedup memory, see ids_open in shared.lua)
KEYS[5] ids list: "prefixMax|id" per remembered id, in arrival order
ARGV: dedupHorizonMs, latenessMs, retainMs, ttlMs, specSignature, windowMs, slotMs,
      metric ('' when there is no baseline), bucketMs, historyMs, growth factor (0: no cap), growth
      floor, guard buckets (WindowSpec's growth, src/state/types.ts),
      then 4 per input: id, timeMs, bytes, records
Returns a flat array, per input: duplicate (1/0), count, bytes, records, and with a baseline also
median, mad, max, samples, spanMs. Whole numbers as integers, others as %.17g text (exact doubles).
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
local growth = tonumber(ARGV[11])
local growth_floor = tonumber(ARGV[12])
local guard = tonumber(ARGV[13])
local FIRST, STRIDE = 14, 4

local slots_key, peaks_key = KEYS[2], KEYS[3]
local n = window_ms / slot_ms
local late_slots = math.ceil(lateness / slot_ms)

local s = state_begin(KEYS, tonumber(ARGV[FIRST + 1]), retain, sig)
local ids = ids_open(s, KEYS[4], KEYS[5], horizon, FIRST, #ARGV, STRIDE)
local v = s.v
local head = v.head or -math.huge
local rc, rb, rr = v.rc or 0, v.rb or 0, v.rr or 0
local last = v.last or -math.huge
local first = v.first or math.huge
local lo = v.lo

-- The live slots of this call: slot -> {count, bytes, records}; absent when the slot does not exist.
-- Stored slots lie between lo and the stored head. Until `loaded`, only those read by number are
-- here (probed): a short step of the window reads its few slots (HMGET), a long one reads them all
-- (one HGETALL of a hash bounded by the window and the lateness), and when every stored slot is to be
-- forgotten the hash is dropped unread. Changes are written back at the end: dirty slots set, dead
-- slots deleted.
local slots, dirty, dead, probed = {}, {}, {}, {}
local stored_head, loaded = head, lo == nil

local spack, sunpack = struct.pack, struct.unpack

local function parse_slot(x)
  local c, b, r = sunpack('<ddd', x)
  return { c, b, r }
end

local function load_slots()
  loaded = true
  local flat = redis.call('HGETALL', slots_key)
  for i = 1, #flat, 2 do
    local k = sunpack('<d', flat[i])
    -- What this call read or changed already is newer than what is stored.
    if slots[k] == nil and not probed[k] and not dead[k] then slots[k] = parse_slot(flat[i + 1]) end
  end
end

-- Makes sure the stored slots from..to are in `slots`: read by number (one HMGET) unless loaded.
local function probe(from, to)
  if loaded then return end
  if from < lo then from = lo end
  if to > stored_head then to = stored_head end
  local ks, fields = {}, {}
  for k = from, to do
    if not probed[k] and not dead[k] and slots[k] == nil then
      probed[k] = true
      ks[#ks + 1] = k
      fields[#fields + 1] = spack('<d', k)
    end
  end
  if #fields == 0 then return end
  local xs = hmget(slots_key, fields)
  for i = 1, #ks do
    if xs[i] then slots[ks[i]] = parse_slot(xs[i]) end
  end
end

local function read_slot(k)
  local x = slots[k]
  if x == nil and not loaded then
    probe(k, k)
    x = slots[k]
  end
  return x
end

-- Forgets slot k, whether or not it exists: a stored one is deleted at the end.
local function forget_slot(k)
  slots[k] = nil
  dirty[k] = nil
  if k <= stored_head then dead[k] = true end
end

-- Forgets every slot below keep_from: by number for a short step of the head, else by the live list.
local function prune_slots(keep_from)
  if lo == nil or lo >= keep_from then return end
  if keep_from - lo <= 16 then
    -- A short step: forget by number, stored or not, without reading anything.
    for k = lo, keep_from - 1 do forget_slot(k) end
  else
    if not loaded then
      if keep_from > stored_head then
        -- Every stored slot goes: drop the hash without reading it (those read already go below).
        redis.call('DEL', slots_key)
        loaded = true
      else
        load_slots()
      end
    end
    for k in pairs(slots) do
      if k < keep_from then forget_slot(k) end
    end
  end
  lo = keep_from
end

local function advance(sl)
  if head == -math.huge or sl - head >= n then
    rc, rb, rr = 0, 0, 0
  else
    local from, to = head - n + 1, sl - n
    if from <= to then
      if to - from <= 16 then
        probe(from, to)
        for k = from, to do
          local x = slots[k]
          if x then
            rc = rc - x[1]
            rb = rb - x[2]
            rr = rr - x[3]
          end
        end
      else
        if not loaded then load_slots() end
        -- In slot order, as the memory class subtracts: sums of fractions depend on the order.
        local leaving = {}
        for k in pairs(slots) do
          if k >= from and k <= to then leaving[#leaving + 1] = k end
        end
        table.sort(leaving)
        for i = 1, #leaving do
          local x = slots[leaving[i]]
          rc = rc - x[1]
          rb = rb - x[2]
          rr = rr - x[3]
        end
      end
    end
  end
  head = sl
  prune_slots(sl - n - late_slots)
end

local function add(sl, bytes, records)
  if sl > head then advance(sl) end
  local x = read_slot(sl)
  if not x then
    x = { 0, 0, 0 }
    slots[sl] = x
    if lo == nil or sl < lo then lo = sl end
  end
  x[1] = x[1] + 1
  x[2] = x[2] + bytes
  x[3] = x[3] + records
  dirty[sl] = true
  dead[sl] = nil
  if sl > head - n then
    rc = rc + 1
    rb = rb + bytes
    rr = rr + records
  end
end

-- An input behind the head: the window ending at its slot, summed from the slots.
local function sum_window_at(sl)
  probe(sl - n + 1, sl)
  local c, b, r = 0, 0, 0
  for k = sl - n + 1, sl do
    local x = slots[k]
    if x then
      c = c + x[1]
      b = b + x[2]
      r = r + x[3]
    end
  end
  return c, b, r
end

-- Baseline peaks read in this call: bucket -> peak, or false when it does not exist. All of them
-- are read only when the statistics must be computed again (the cache is for another bucket).
local peaks, peaks_all, peaks_dirty, peaks_dead = {}, false, {}, {}
local cache_bucket = v.cb
local cache_stats = nil
if cache_bucket ~= nil and v.cs then
  local med, mad, max, samples = string.match(v.cs, '^([^,]*),([^,]*),([^,]*),(.*)$')
  cache_stats = { med, mad, max, samples }
else
  cache_bucket = nil
end

local function peak_of(bucket)
  local p = peaks[bucket]
  if p == nil then
    if peaks_all then
      p = false
    else
      local raw = redis.call('HGET', peaks_key, spack('<d', bucket))
      p = raw and sunpack('<d', raw) or false
    end
    peaks[bucket] = p
  end
  return p
end

local function load_peaks()
  local flat = redis.call('HGETALL', peaks_key)
  for i = 1, #flat, 2 do
    local b = sunpack('<d', flat[i])
    -- What this call changed already is newer than what is stored.
    if peaks[b] == nil then peaks[b] = sunpack('<d', flat[i + 1]) end
  end
  peaks_all = true
end

-- The growth cap's history (MemoryWindow.capFor): for bucket cap_bucket, the largest peak and the
-- number of active buckets in [cap_bucket - history, cap_bucket - guard).
local cap_bucket, cap_max, cap_samples = v.gb, v.gm, v.gn
local MIN_GROWTH_SAMPLES = 5
local history_buckets = math.floor(history_ms / bucket_ms)

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

-- Statistics of the buckets in the history before bucket (the caller passes the bucket its window
-- begins in); older peaks are forgotten.
local function stats_before(bucket)
  if cache_bucket == bucket then return cache_stats end
  if not peaks_all then load_peaks() end
  local from = bucket - history_buckets
  -- Peaks forgotten from the growth cap's history: its cached figures may count them.
  if cap_bucket ~= nil and from > cap_bucket - history_buckets then cap_bucket = nil end
  local samples, gone = {}, {}
  for b, peak in pairs(peaks) do
    if peak then
      if b < from then gone[#gone + 1] = b
      elseif b < bucket then samples[#samples + 1] = peak end
    end
  end
  for i = 1, #gone do
    local b = gone[i]
    peaks[b] = false
    peaks_dirty[b] = nil
    peaks_dead[b] = true
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

local function cap_for(bucket)
  if cap_bucket ~= bucket then
    if not peaks_all then load_peaks() end
    local from, to = bucket - history_buckets, bucket - guard
    local max, n = 0, 0
    for b, peak in pairs(peaks) do
      if peak and b >= from and b < to then
        n = n + 1
        if peak > max then max = peak end
      end
    end
    cap_bucket, cap_max, cap_samples = bucket, max, n
  end
  if cap_samples >= MIN_GROWTH_SAMPLES and cap_max > 0 then return math.max(growth * cap_max, growth_floor) end
  return math.huge
end

local function record_peak(bucket, value)
  local prev = peak_of(bucket)
  if prev and not (value > prev) then return end
  if growth > 0 then
    local cap = cap_for(bucket)
    if value > cap then value = cap end
    if prev and not (value > prev) then return end
  end
  peaks[bucket] = value
  peaks_dirty[bucket] = true
  peaks_dead[bucket] = nil
  -- An out-of-order input can raise a peak the cached statistics already used.
  if cache_bucket ~= nil and bucket < cache_bucket then cache_bucket, cache_stats = nil, nil end
end

local has_baseline = metric ~= ''
local out = {}
for i = FIRST, #ARGV, STRIDE do
  -- Arithmetic reads a number from its text once (tonumber reads it twice); * 1 keeps -0.
  local t = ARGV[i + 1] * 1
  local fresh = ids_add(ids, ARGV[i], t, ARGV[i + 1])
  local sl = math.floor(t / slot_ms)
  if fresh then add(sl, ARGV[i + 2] * 1, ARGV[i + 3] * 1) end
  if t > last then last = t end
  if t < first then first = t end
  local c, b, r
  if sl == head then c, b, r = rc, rb, rr else c, b, r = sum_window_at(sl) end
  local at = #out
  out[at + 1] = flag(not fresh)
  out[at + 2] = c
  out[at + 3] = rnum(b)
  out[at + 4] = rnum(r)
  if has_baseline then
    local bucket = math.floor(t / bucket_ms)
    -- The history ends where this window begins (src/state/memory/window.ts).
    local stats = stats_before(math.floor((t - window_ms) / bucket_ms))
    out[#out + 1] = stats[1]
    out[#out + 1] = stats[2]
    out[#out + 1] = stats[3]
    out[#out + 1] = stats[4]
    out[#out + 1] = rnum(t - first)
    if fresh then
      local value = r
      if metric == 'count' then value = c elseif metric == 'bytes' then value = b end
      record_peak(bucket, value)
    end
  end
end

local set, del = {}, {}
for k in pairs(dirty) do
  local x = slots[k]
  set[#set + 1] = spack('<d', k)
  set[#set + 1] = spack('<ddd', x[1], x[2], x[3])
end
for k in pairs(dead) do del[#del + 1] = spack('<d', k) end
if #del > 0 then call_chunked('HDEL', slots_key, del) end
if #set > 0 then call_chunked('HSET', slots_key, set, 2) end

if metric ~= '' then
  set, del = {}, {}
  for b in pairs(peaks_dirty) do
    set[#set + 1] = spack('<d', b)
    set[#set + 1] = spack('<d', peaks[b])
  end
  for b in pairs(peaks_dead) do del[#del + 1] = spack('<d', b) end
  if #del > 0 then call_chunked('HDEL', peaks_key, del) end
  if #set > 0 then call_chunked('HSET', peaks_key, set, 2) end
  if cache_bucket ~= v.cb or (cache_stats and table.concat(cache_stats, ',') ~= v.cs) then
    state_set(s, 'cb', cache_bucket)
    state_set(s, 'cs', cache_stats and table.concat(cache_stats, ',') or nil)
  end
  if cap_bucket == nil then cap_max, cap_samples = nil, nil end
  if cap_bucket ~= v.gb or cap_max ~= v.gm or cap_samples ~= v.gn then
    state_set(s, 'gb', cap_bucket)
    state_set(s, 'gm', cap_max)
    state_set(s, 'gn', cap_samples)
  end
end

ids_save(ids)
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
