/**
 * Measures the core's CONSULTA round trip from its own process, so the test's own work (parsing
 * logs, driving Node-RED) does not show up as the core's latency. Sends CONSULTA as the legacy
 * clients do (one write, no newline, wait for the reply) every GAP_MS on one connection; on the
 * IPC message "stop" sends back every round trip in ms and exits.
 * Usage: node consulta-probe.js <port> <cedula> [gapMs]
 */
const net = require('node:net');
const [port, cedula, gap = '20'] = process.argv.slice(2);
const REPLY = /^OK\|[^|]*\|[^|]*\|\d+\.\d\d$/;
const latencies = [];
let running = true;
let data = '';
let wake = null;
const socket = net.connect({ port: Number(port), host: '127.0.0.1' });
socket.setEncoding('utf8');
socket.on('data', (d) => {
  data += d;
  if (wake) wake();
});
const waitFor = async (re) => {
  while (!re.test(data)) await new Promise((r) => (wake = r));
  data = '';
};
process.on('message', (m) => {
  if (m === 'stop') running = false;
});
(async () => {
  await waitFor(/BIENVENIDO[^\n]*\n/);
  process.send('started');
  while (running) {
    const t0 = process.hrtime.bigint();
    socket.write(`CONSULTA ${cedula}`);
    await waitFor(REPLY);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await new Promise((r) => setTimeout(r, Number(gap)));
  }
  socket.destroy();
  process.send({ latencies }, () => process.exit(0));
})();
