-- Applies one decision of the room rules atomically, if the room is still at the version the
-- decision was made from (optimistic concurrency between engines).
-- KEYS: 1 room hash, 2 room log, 3 room gateways, 4 flag deadlines, 5 reconnect deadlines,
--       6 room expiries, 7 finalize stream, 8 once-key (unused unless plan.once),
--       9 live gateways (sorted set of heartbeats), 10 the command stream (plan.ack: the command's
--       entry is acknowledged here, with the writes that apply it), 11-12 the two players'
--       "playing" keys (plan.marks, on a single Redis: 'start' names this room in both, 'end'
--       removes it; on a Cluster they are in another slot and the engine writes them itself),
--       13-14 the live games (sorted set by start) and their summaries (plan.live at 'start')
-- ARGV: 1 the plan (small JSON; see room-store.ts), 2 the new state ('' keeps it), 3 the finished
--       game's record ('' none), 4 the replay fallback ('' none), then plan.replies pairs
--       (gateway, delivery JSON), then plan.events triples (type, ply or '', event JSON), then at
--       a game's start its live summary (JSON).
-- Big texts travel as their own arguments, not inside the plan: no escaping, no decoding here.
-- Returns 1 done, 0 version conflict, 2 duplicate, 3 busy (plan.alone: a player is playing elsewhere).
--
-- The stream entries written here follow the layouts in packages/protocol/src/wire/ (the one
-- contract; the TypeScript decoders read what this writes): a gateway's event stream as in
-- gateway-events.ts (`room type [ply] event` for a room event, `delivery <JSON>` for the rest),
-- the finalize entry as in finalize.ts (`p game.ended k <room> d <record> [traceparent ..]`). The code does not
-- spell the names: GW (GATEWAY_FIELDS), ENTRY (ENTRY_FIELDS) and GAME_ENDED (FINALIZE_PATTERN) are
-- defined by a line room-store.ts puts ahead of this script, from those codecs.
local plan = cjson.decode(ARGV[1])
local v = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if v ~= plan.v then return 0 end
if plan.alone then
  for i = 11, 12 do
    local room = redis.call('GET', KEYS[i])
    if room and room ~= plan.room then return 3 end
  end
end
if plan.once then
  -- Its value names the room the command made: a redo on a Cluster writes that game's marks again.
  if redis.call('SET', KEYS[8], plan.room, 'NX', 'PX', plan.ttl) == false then return 2 end
end
local code = plan.room
local state, finalize, fallback = ARGV[2], ARGV[3], ARGV[4]
local firstEvent = 5 + 2 * plan.replies

-- Gateway streams keep plan.gwRetainMs of entries (by Redis's clock): a gateway reads them at once.
local now = redis.call('TIME')
local gwMinId = (tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - plan.gwRetainMs) .. '-0'
local function send(gw, ...)
  redis.call('XADD', plan.gwPrefix .. gw, 'MINID', '~', gwMinId, '*', ...)
end

if plan.del then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[4], code)
  redis.call('ZREM', KEYS[5], code)
  redis.call('ZREM', KEYS[6], code)
elseif state ~= '' then
  redis.call('HSET', KEYS[1], 'v', v + 1, 's', state)
  redis.call('PEXPIRE', KEYS[1], plan.ttl)
end
if plan.gws then
  for _, gw in ipairs(plan.gws) do redis.call('SADD', KEYS[3], gw) end
  redis.call('PEXPIRE', KEYS[3], plan.ttl)
end

-- Direct answers first: `joined` must reach its socket before `started`.
for i = 5, firstEvent - 1, 2 do send(ARGV[i], GW.delivery, ARGV[i + 1]) end

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
    local watch = r.watch and ',"watch":true' or ''
    send(r.gw, GW.delivery, '{"k":"replay","conn":' .. cjson.encode(r.conn) .. ',"room":"' .. code .. '"' .. watch .. ',"events":[' .. table.concat(missed, ',') .. ']}')
  else
    send(r.gw, GW.delivery, fallback)
  end
end

if plan.events > 0 then
  local lastEvent = firstEvent + 3 * plan.events - 1
  if not plan.del then
    for i = firstEvent, lastEvent, 3 do redis.call('RPUSH', KEYS[2], ARGV[i + 2]) end
    redis.call('LTRIM', KEYS[2], -plan.logCap, -1)
    redis.call('PEXPIRE', KEYS[2], plan.ttl)
  end
  local gws = redis.call('SMEMBERS', KEYS[3])
  -- An empty registry is a Redis that came back without its data, not every gateway drained: the
  -- gateways re-register at their next heartbeat, so none is forgotten meanwhile.
  local registry = redis.call('ZCARD', KEYS[9]) > 0
  for _, gw in ipairs(gws) do
    -- A gateway that left the registry (drained) has no reader: forget it rather than
    -- re-creating its stream.
    if not registry or redis.call('ZSCORE', KEYS[9], gw) then
      -- A room event goes as its JSON text with its type (and ply) beside it: the gateway sends
      -- the text to its sockets as it is, without decoding it.
      for i = firstEvent, lastEvent, 3 do
        if ARGV[i + 1] == '' then
          send(gw, GW.room, code, GW.type, ARGV[i], GW.event, ARGV[i + 2])
        else
          send(gw, GW.room, code, GW.type, ARGV[i], GW.ply, ARGV[i + 1], GW.event, ARGV[i + 2])
        end
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

if finalize ~= '' then
  -- plan.tp / plan.ts: the trace context of the command that ended the game (tracing on), so the
  -- finalizer's span joins that trace (stream-entry.ts: traceparent, tracestate).
  local f = { ENTRY.pattern, GAME_ENDED, ENTRY.key, code, ENTRY.data, finalize }
  if plan.tp then
    f[#f + 1] = ENTRY.traceparent
    f[#f + 1] = plan.tp
    if plan.ts then
      f[#f + 1] = ENTRY.tracestate
      f[#f + 1] = plan.ts
    end
  end
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', plan.finalizeMaxLen, '*', unpack(f))
end
if plan.playing == 'start' then
  if plan.marks then
    redis.call('SET', KEYS[11], code, 'PX', plan.ttl)
    redis.call('SET', KEYS[12], code, 'PX', plan.ttl)
  end
  redis.call('ZADD', KEYS[13], plan.startedAt, code)
  redis.call('HSET', KEYS[14], code, ARGV[5 + 2 * plan.replies + 3 * plan.events])
elseif plan.playing == 'end' then
  redis.call('ZREM', KEYS[13], code)
  redis.call('HDEL', KEYS[14], code)
  -- Only if it still names this room: a player may be in another game already.
  if plan.marks then
    for i = 11, 12 do
      if redis.call('GET', KEYS[i]) == code then redis.call('DEL', KEYS[i]) end
    end
  end
end
if plan.ack then redis.call('XACK', KEYS[10], plan.ack.group, plan.ack.id) end
return 1
