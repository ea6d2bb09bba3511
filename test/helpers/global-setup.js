// Probes the services some suites need, once per `npm test`, and tells the workers through
// environment variables. Under CI=true a missing service fails the run here, loudly: CI must
// never skip. On a developer machine the suites that need it skip with a printed reason.
const net = require('node:net');
const { execFileSync } = require('node:child_process');

function tcpReachable(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hasBinary(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Kafka: the broker .ci/run started (BANCO_TEST_KAFKA_BROKERS, must answer), or else what the
 * suites need to start their own (scripts/kafka/kafka.js: Java, plus Maven unless the jars are
 * already cached).
 */
async function kafkaAvailable() {
  const brokers = process.env.BANCO_TEST_KAFKA_BROKERS;
  if (brokers) {
    const [host, port] = brokers.split(',')[0].trim().split(':');
    return tcpReachable(host, Number(port));
  }
  return hasBinary('java') && hasBinary('mvn');
}

module.exports = async function globalSetup() {
  const mysqlUrl = process.env.BANCO_TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';
  process.env.BANCO_TEST_MYSQL_URL = mysqlUrl;
  const u = new URL(mysqlUrl);
  const mq = new URL(process.env.BANCO_TEST_MOSQUITTO_URL || 'mqtt://127.0.0.1:1883');
  const services = {
    mysql: await tcpReachable(u.hostname, Number(u.port || 3306)),
    mosquitto: hasBinary('mosquitto'),
    // The machine's own Mosquitto (external-broker tests): BANCO_TEST_MOSQUITTO_URL.
    'mosquitto-server': await tcpReachable(mq.hostname, Number(mq.port || 1883)),
    kafka: await kafkaAvailable(),
  };
  const missing = Object.entries(services).filter(([, up]) => !up).map(([name]) => name);
  for (const [name, up] of Object.entries(services)) process.env[`BANCO_TEST_HAS_${name.toUpperCase().replace(/-/g, '_')}`] = up ? '1' : '0';
  if (missing.length > 0 && process.env.CI === 'true') {
    throw new Error(`CI=true but these test services are not available: ${missing.join(', ')} (.ci/run should have started them)`);
  }
  if (missing.length > 0) process.stderr.write(`\n*** SKIPPING suites that need: ${missing.join(', ')} (not available on this machine) ***\n\n`);
};
