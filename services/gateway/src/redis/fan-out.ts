// The Lua the gateway's scripts share to send one delivery to a room's gateways (a chat line, the
// chat's mode, the crowd): each live gateway of the room gets it on its event stream of the room's
// shard, the stream trimmed to GATEWAY_STREAM_RETAIN_MS by Redis's clock. (The engine's commit.lua
// does the same for room events, inside its own atomic step.)

/** A gateway whose heartbeat is older than this (ms) is not sent anything: it is dead or going. */
export const LIVE_BEAT_MS = 20_000;

/**
 * Defines `fanOut(roomGateways, liveGateways, streamPrefix, retainMs, oldestBeat, field, delivery)`;
 * goes right after a script's `#!lua` line (it starts with a newline). A gateway is live when its
 * heartbeat in `liveGateways` is at least `oldestBeat` (ms).
 */
export const FAN_OUT = `
local function fanOut(roomGateways, liveGateways, prefix, retainMs, oldestBeat, field, delivery)
  local now = redis.call('TIME')
  local minId = (tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(retainMs)) .. '-0'
  for _, gw in ipairs(redis.call('SMEMBERS', roomGateways)) do
    local beat = redis.call('ZSCORE', liveGateways, gw)
    if beat and tonumber(beat) >= tonumber(oldestBeat) then
      redis.call('XADD', prefix .. gw, 'MINID', '~', minId, '*', field, delivery)
    end
  end
end`;
