/**
 * The broker's listeners: MQTT over TCP, over WebSocket (CONTRACT §1, port 9001) and over TLS.
 * Each hands its connections to `handle`; binding failures are the ConfigError of listenOrExplain.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { ConfigError } from '../errors';
import { listenOrExplain } from '../protocol/listen';
import type { BrokerTlsOptions } from './config';
import type { ConnectionGate } from './connection-gate';

export type Handle = (conn: Duplex, req?: http.IncomingMessage) => void;

/** WebSocket frame overhead allowed on top of the MQTT packet bound. */
const WS_FRAME_OVERHEAD_BYTES = 16;

export function boundPort(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

export async function startTcpListener(handle: Handle, host: string, port: number, gate: ConnectionGate): Promise<net.Server> {
  // aedes gets the socket wrapped by the packet-size guard, so it cannot turn Nagle off itself;
  // with Nagle on, small PUBACKs wait for the peer's delayed ACK (~40 ms each).
  const server = net.createServer({ noDelay: true }, (socket) => handle(socket));
  gate.watch(server);
  await listenOrExplain(server, host, port, 'MQTT_PORT', 'MQTT broker');
  return server;
}

export async function startWsListener(handle: Handle, host: string, port: number, gate: ConnectionGate, packetBytesMax: number): Promise<http.Server> {
  const server = http.createServer({ noDelay: true }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  const wss = new WebSocketServer({ server, maxPayload: packetBytesMax + WS_FRAME_OVERHEAD_BYTES, perMessageDeflate: false });
  wss.on('connection', (ws, req) => handle(createWebSocketStream(ws), req));
  wss.on('error', () => undefined); // ws re-emits the http server's errors; listenOrExplain reports them
  server.once('close', () => wss.close());
  gate.watch(server);
  await listenOrExplain(server, host, port, 'MQTT_WS_PORT', 'MQTT WebSocket listener');
  return server;
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`${setting}=${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export async function startTlsListener(handle: Handle, host: string, options: BrokerTlsOptions, gate: ConnectionGate): Promise<tls.Server> {
  let server: tls.Server;
  try {
    server = tls.createServer({
      cert: readPem(options.certFile, 'BANCO_MQTT_TLS_CERT'),
      key: readPem(options.keyFile, 'BANCO_MQTT_TLS_KEY'),
      ca: options.caFile === null ? undefined : readPem(options.caFile, 'BANCO_MQTT_TLS_CA'),
      minVersion: 'TLSv1.2',
    });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`BANCO_MQTT_TLS_CERT/BANCO_MQTT_TLS_KEY are not a usable PEM certificate and key (${(err as Error).message}).`);
  }
  server.on('secureConnection', (socket) => {
    socket.setNoDelay(true);
    handle(socket);
  });
  server.on('tlsClientError', () => undefined); // a failed handshake only concerns that client
  gate.watch(server);
  await listenOrExplain(server, host, options.port, 'BANCO_MQTT_TLS_PORT', 'MQTT TLS listener');
  return server;
}

/** Stops accepting, then cuts what is still open after the grace period. */
export function closeServer(server: net.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const timer = setTimeout(() => (server as http.Server).closeAllConnections?.(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
