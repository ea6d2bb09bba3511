/**
 * What one connection holds while it cannot take a line (a command still running): found by
 * review, the line buffer grew without bound (42 MiB for one connection, with a copy per read)
 * because reads paused only when a complete line was waiting.
 */
import net from 'node:net';
import { LIMITS } from '../../core/limits';
import { silentLogger } from '../../core/log';
import { Connection } from '../../core/protocol/connection';
import type { ProtocolContext } from '../../core/protocol/context';
import { TcpClient } from '../helpers/tcp-client';

test('while a command runs, a client streaming bytes without newline is not read past one read\'s worth', async () => {
  // A stalled command is a fault the real core only shows with a stalled database: STATS that never answers.
  const ctx = { ledger: {} as ProtocolContext['ledger'], estadisticas: () => new Promise<never>(() => undefined) } as ProtocolContext;
  const serverSockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    serverSockets.push(socket);
    new Connection(socket, ctx, { limits: { ...LIMITS }, legacyText: true, coreToken: null, log: silentLogger });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const c = await TcpClient.open((server.address() as net.AddressInfo).port);
  try {
    c.write('STATS\n');
    const chunk = Buffer.alloc(64 * 1024, 0x41); // 'A', no newline
    for (let i = 0; i < 64; i++) c.write(chunk); // 4 MiB
    await new Promise((r) => setTimeout(r, 500));
    expect(serverSockets[0].bytesRead).toBeLessThan(512 * 1024);
  } finally {
    c.close();
    for (const s of serverSockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
