/**
 * Compatibility mode (BANCO_BRIDGE_COMPAT=on): the old front end's REST API exactly as CONTRACT §7
 * lists it. UNAUTHENTICATED, like the old bridge: anyone who reaches it can move anyone's money,
 * which is why it is off by default and refused beyond loopback without an explicit setting
 * (bridge/config.ts). No idempotency key exists in this API, so a retried request runs again.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { CorePool } from '../core-client/core-pool';
import type { CoreReply } from '../core-client/core-connection';
import { amount, fail, legacyMovement, ok, splitNombre, type LegacyReply } from './legacy-shapes';
import type { Wrap } from '../http/wrap';

const STATUS: Record<string, number> = { NO_DISPONIBLE: 503, LIMITE_EXCEDIDO: 429, CLIENTE_NO_ENCONTRADO: 404, INTERNO: 500 };

function send(res: Response, reply: LegacyReply, status = 200): void {
  res.status(status).json(reply);
}

function refusal(res: Response, reply: CoreReply): void {
  const e = (reply.error ?? {}) as { code?: string; message?: string };
  send(res, fail(e.message ?? 'Error'), STATUS[e.code ?? 'INTERNO'] ?? 400);
}

const body = (req: Request): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;

function routes(core: CorePool): Record<string, (req: Request, res: Response) => Promise<void>> {
  return {
    consulta: async (req, res) => {
      const r = await core.request({ op: 'consulta', cedula: body(req).cedula });
      if (!r.ok) return refusal(res, r);
      const c = r.cliente as Record<string, unknown>;
      send(res, ok('consulta', { cedula: c.cedula, nombres: c.nombres, apellidos: c.apellidos, saldo: amount(c.saldo) }));
    },
    deposito: async (req, res) => movement(core, res, 'deposito', { op: 'depositar', cedula: body(req).cedula, monto: body(req).monto }),
    retiro: async (req, res) => movement(core, res, 'retiro', { op: 'retirar', cedula: body(req).cedula, monto: body(req).monto }),
    crear: async (req, res) => {
      const { cedula, nombre } = body(req);
      const names = typeof nombre === 'string' ? splitNombre(nombre) : null;
      if (names === null) return send(res, fail('Debe proporcionar al menos nombre y apellido'), 400);
      const r = await core.request({ op: 'crear', cedula, ...names });
      if (!r.ok) return refusal(res, r);
      const c = r.cliente as Record<string, unknown>;
      send(res, ok('crear', { cedula: c.cedula, nombres: c.nombres, apellidos: c.apellidos, saldo: amount(c.saldo) }));
    },
    transferir: async (req, res) => {
      const { cedula_origen, cedula_destino, monto } = body(req);
      const r = await core.request({ op: 'transferir', origen: cedula_origen, destino: cedula_destino, monto });
      if (!r.ok) return refusal(res, r);
      send(res, ok('transferir', { cedula_origen: r.origen, cedula_destino: r.destino, monto: amount(r.monto), saldo_origen: amount(r.saldo_origen), saldo_destino: amount(r.saldo_destino) }));
    },
  };
}

async function movement(core: CorePool, res: Response, action: string, request: Record<string, unknown>): Promise<void> {
  const r = await core.request(request);
  if (!r.ok) return refusal(res, r);
  send(res, ok(action, { cedula: r.cedula, monto: amount(r.monto), saldo_anterior: amount(r.saldo_anterior), saldo_nuevo: amount(r.saldo_nuevo) }));
}

/** The old front end ran on its own origin (Next.js, port 3000): only the listed origins may call. */
function cors(origins: string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origin !== undefined && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

export function compatRoutes(core: CorePool, origins: string[], wrap: Wrap): Router {
  const r = Router();
  r.use(['/health', '/api'], cors(origins));
  r.get('/health', wrap(async (_req, res) => {
    const ping = await core.request({ op: 'ping' }).catch(() => null);
    send(res, ok('health', { status: ping?.ok ? 'ok' : 'degradado', core: ping?.ok ? 'conectado' : 'desconectado' }), ping?.ok ? 200 : 503);
  }));
  const handlers = routes(core);
  for (const name of Object.keys(handlers)) r.post(`/api/${name}`, wrap(handlers[name]));
  r.get('/api/historial/:cedula', wrap(async (req, res) => {
    const h = await core.request({ op: 'historial', cedula: req.params.cedula });
    if (!h.ok) return refusal(res, h);
    send(res, ok('historial', { cedula: h.cedula, transacciones: (h.movimientos as Array<Record<string, unknown>>).map(legacyMovement) }));
  }));
  r.get('/api/stats', wrap(async (_req, res) => {
    const s = await core.request({ op: 'estadisticas' });
    if (!s.ok) return refusal(res, s);
    send(res, ok('stats', { clientes_conectados: s.clientes_conectados, total_transacciones: s.total_transacciones, ips_activas: s.ips_activas }));
  }));
  return r;
}
