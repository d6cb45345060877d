// `helm test`: plays the start of the protocol (docs/protocol.md) against the gateway Service,
// from inside the cluster: a guest token, a socket at /ws, hello, then ping -> pong with our id.
// Runs on node 24 with no dependencies (global fetch and WebSocket). GATEWAY_URL: http://host:port.
/* global WebSocket */
const base = process.env.GATEWAY_URL;
const deadline = setTimeout(() => fail('no pong within 20 s'), 20_000);
function fail(why) {
  console.error(JSON.stringify({ ok: false, why }));
  process.exit(1);
}
try {
  const res = await fetch(`${base}/api/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'helm-test' }),
  });
  if (!res.ok) fail(`POST /api/guest answered ${res.status}`);
  const { token } = await res.json();
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`);
  ws.onerror = () => fail('socket error');
  ws.onclose = (e) => fail(`socket closed ${e.code}`);
  ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', token, id: 'hello-1' }));
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e.data));
    if (msg.t === 'welcome') ws.send(JSON.stringify({ t: 'ping', id: 'helm-test-ping' }));
    else if (msg.t === 'pong' && msg.id === 'helm-test-ping') {
      clearTimeout(deadline);
      console.log(JSON.stringify({ ok: true, serverTime: msg.serverTime, player: 'helm-test' }));
      ws.onclose = null;
      ws.close();
      process.exit(0);
    } else if (msg.t === 'error') fail(`error ${msg.code}: ${msg.message}`);
  };
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
