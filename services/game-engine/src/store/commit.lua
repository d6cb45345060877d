-- Applies one decision of the room rules atomically, if the room is still at the version the
-- decision was made from (optimistic concurrency between engines).
-- KEYS: 1 room hash, 2 room log, 3 room gateways, 4 flag deadlines, 5 reconnect deadlines,
--       6 room expiries, 7 finalize stream, 8 once-key (unused unless plan.once),
--       9 live gateways (sorted set of heartbeats)
-- ARGV[1]: the plan (JSON); see room-store.ts. Returns 1 done, 0 version conflict, 2 duplicate.
local plan = cjson.decode(ARGV[1])
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= plan.v then return 0 end
if plan.once then
  if redis.call('SET', KEYS[8], '1', 'NX', 'PX', plan.ttl) == false then return 2 end
end
local code = plan.room

local function send(gw, body)
  redis.call('XADD', plan.gwPrefix .. gw, 'MAXLEN', '~', plan.gwMaxLen, '*', 'd', body)
end

if plan.del then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[4], code)
  redis.call('ZREM', KEYS[5], code)
  redis.call('ZREM', KEYS[6], code)
elseif plan.state then
  redis.call('HSET', KEYS[1], 'v', v + 1, 's', plan.state)
  redis.call('PEXPIRE', KEYS[1], plan.ttl)
end
if plan.gw then
  redis.call('SADD', KEYS[3], plan.gw)
  redis.call('PEXPIRE', KEYS[3], plan.ttl)
end

-- Direct answers first: `joined` must reach its socket before `started`.
for _, r in ipairs(plan.replies) do send(r.gw, r.body) end

if plan.replay then
  local r = plan.replay
  local log = redis.call('LRANGE', KEYS[2], 0, -1)
  local missed = {}
  local first = nil
  for _, e in ipairs(log) do
    local seq = tonumber(string.match(e, '"seq":(%d+)'))
    if first == nil then first = seq end
    if seq > r.after then table.insert(missed, e) end
  end
  -- Replayable when nothing was missed or the log still holds the first missed event.
  if r.after == plan.seqBefore or (first ~= nil and first <= r.after + 1 and r.after <= plan.seqBefore) then
    send(r.gw, '{"k":"replay","conn":' .. cjson.encode(r.conn) .. ',"room":"' .. code .. '","events":[' .. table.concat(missed, ',') .. ']}')
  else
    send(r.gw, r.fallback)
  end
end

if #plan.events > 0 then
  if not plan.del then
    for _, e in ipairs(plan.events) do redis.call('RPUSH', KEYS[2], e) end
    redis.call('LTRIM', KEYS[2], -plan.logCap, -1)
    redis.call('PEXPIRE', KEYS[2], plan.ttl)
  end
  local gws = redis.call('SMEMBERS', KEYS[3])
  for _, gw in ipairs(gws) do
    -- A gateway that left the registry (drained) has no reader: forget it rather than
    -- re-creating its stream.
    if redis.call('ZSCORE', KEYS[9], gw) then
      for _, e in ipairs(plan.events) do
        send(gw, '{"k":"room","room":"' .. code .. '","ev":' .. e .. '}')
      end
    else
      redis.call('SREM', KEYS[3], gw)
    end
  end
end

if plan.del then
  redis.call('DEL', KEYS[3])
else
  local deadlines = { {KEYS[4], plan.flagAt}, {KEYS[5], plan.graceAt}, {KEYS[6], plan.expireAt} }
  for _, d in ipairs(deadlines) do
    if d[2] == '' then redis.call('ZREM', d[1], code) else redis.call('ZADD', d[1], d[2], code) end
  end
end

if plan.finalize then
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', plan.finalizeMaxLen, '*', 'p', 'game.ended', 'k', code, 'd', plan.finalize)
end
return 1
