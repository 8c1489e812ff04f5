// The official Telnyx Node SDK against telnyx-sim: dial an agent and a customer, bridge them with
// park_after_unbridge, read the call status, hang up (a second hangup is 422 90018), and verify every
// webhook the sim signed with client.webhooks.unwrap. Exits non-zero on any mismatch.
// usage: node sdk_check.mjs <telnyx-sim> <scenario.json> <openapi.json>
import Telnyx from 'telnyx';
import http from 'node:http';
import { spawn } from 'node:child_process';

const events = [];
let verified = 0, failed = 0;
const waiters = [];
const fail = (why) => { console.error('FAIL:', why); process.exitCode = 1; };

const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', async () => {
    try {
      const ev = await client.webhooks.unwrap(body, { headers: req.headers });
      verified++;
      events.push(ev.data);
    } catch (e) {
      failed++;
      console.error('webhook verification failed:', e.message);
    }
    res.writeHead(200);
    res.end('{}');
    waiters.forEach((w) => w());
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const sim = spawn(process.argv[2], ['--webhook-url', `http://127.0.0.1:${receiver.address().port}/hook`,
  '--time-scale', '10', '--scenario', process.argv[3], '--schema', process.argv[4], '--api-key', 'KEY123'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const killer = setTimeout(() => { fail('timed out'); sim.kill('SIGKILL'); process.exit(1); }, 30000);
const line = await new Promise((r) => sim.stdout.once('data', (d) => r(d.toString())));
const [, port, publicKey] = line.match(/port=(\d+) public_key=(\S+)/);
var client = new Telnyx({ apiKey: 'KEY123', baseURL: `http://127.0.0.1:${port}/v2`, publicKey, maxRetries: 0 });
const count = (type) => events.filter((e) => e.event_type === type).length;
const until = (pred) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('timeout waiting for webhooks')), 8000);
  const check = () => { if (pred()) { clearTimeout(t); resolve(); } };
  waiters.push(check);
  check();
});

try {
  const agent = (await client.calls.dial({ connection_id: 'c1', to: 'sip:alice@example.com', from: '+15550000001' })).data;
  const customer = (await client.calls.dial({ connection_id: 'c1', to: '+15551230002', from: '+15550000002', timeout_secs: 30 })).data;
  await until(() => count('call.answered') === 2);
  const bridged = await client.calls.actions.bridge(agent.call_control_id,
    { call_control_id: customer.call_control_id, park_after_unbridge: 'self' });
  if (bridged.data?.result !== 'ok') fail('bridge result ' + JSON.stringify(bridged));
  await until(() => count('call.bridged') === 2);
  const status = await client.calls.retrieveStatus(customer.call_control_id);
  if (status.data?.is_alive !== true) fail('status of a bridged call ' + JSON.stringify(status));
  await client.calls.actions.hangup(customer.call_control_id, {});
  await until(() => count('call.hangup') === 1);
  try {
    await client.calls.actions.hangup(customer.call_control_id, {});
    fail('a second hangup succeeded');
  } catch (e) {
    if (e.status !== 422 || !JSON.stringify(e.error).includes('90018')) fail('second hangup: ' + e.status + ' ' + JSON.stringify(e.error));
  }
  await client.calls.actions.hangup(agent.call_control_id, {});  // still up: parked after the customer left
  await until(() => count('call.hangup') === 2);
} catch (e) {
  fail(e.message);
}
console.log('events', events.map((e) => e.event_type).join(','), 'verified', verified, 'failed', failed);
if (failed > 0 || verified < 8) fail(`verified ${verified}, failed ${failed}`);
clearTimeout(killer);
sim.kill('SIGTERM');
receiver.close();
