/** Flows, alerts and waits shared by the banco-email tests. */
import bancoEmail from '../../../nodes/banco-email/banco-email';
import bancoSmtp from '../../../nodes/banco-smtp/banco-smtp';
import type { NodeMessage } from '../../../nodes/shared/node-red';
import { collect, helper, statusTexts } from '../helpers/red';
import type { TestSmtpServer } from '../helpers/smtp-server';

export const nodeTypes = [bancoSmtp, bancoEmail];

export const OPS = ['ops@banco.test', 'jefe.ops@banco.test'];

let n = 0;

/** A LOW_BALANCE alert as the core publishes it (core/ledger/events.ts), with a fresh id. */
export function alert(cedula = '1350509525', saldo = 50, extra: Record<string, unknown> = {}): NodeMessage {
  n += 1;
  const id = `alert-${process.pid}-${n}`;
  return {
    topic: 'banco/alertas',
    eventId: id,
    payload: { id, timestamp: '2026-12-03T14:00:00.000Z', type: 'LOW_BALANCE', message: `Saldo bajo: $${saldo.toFixed(2)}`, cedula, data: { saldo, saldo_anterior: 450.25, umbral: 100 }, version: 2, ...extra },
  };
}

export function smtpNode(server: TestSmtpServer, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 's1', type: 'banco-smtp', name: 'test smtp', host: '127.0.0.1', port: server.port, security: 'starttls', caFile: server.caFile, authType: 'login', from: 'Banco Hub <alertas@banco.test>', ...extra };
}

export function emailFlow(email: Record<string, unknown>, smtp?: Record<string, unknown>): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'email' },
    ...(smtp ? [{ ...smtp, z: undefined }] : []),
    { id: 'e1', type: 'banco-email', z: 'tab', smtp: smtp ? 's1' : '', to: OPS.join(', '), throttleS: 0, wires: [['out']], ...email },
    { id: 'out', type: 'helper', z: 'tab' },
    { id: 'c1', type: 'catch', z: 'tab', scope: ['e1'], uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'tab' },
    { id: 'st', type: 'status', z: 'tab', scope: ['e1'], wires: [['statuses']] },
    { id: 'statuses', type: 'helper', z: 'tab' },
  ];
}

export interface Deployed {
  out: NodeMessage[];
  caught: NodeMessage[];
  statuses: NodeMessage[];
  send(msg: NodeMessage): void;
  lastStatus(): string;
  errors(): string[];
}

export async function deploy(email: Record<string, unknown>, smtp?: Record<string, unknown>, credentials: Record<string, Record<string, string>> = {}): Promise<Deployed> {
  await helper.load(nodeTypes, emailFlow(email, smtp), credentials);
  const out = collect('out');
  const caught = collect('caught');
  const statuses = collect('statuses');
  const node = helper.getNode('e1');
  return {
    out,
    caught,
    statuses,
    send: (msg) => node.receive(msg),
    lastStatus: () => statusTexts(statuses).at(-1) ?? '',
    errors: () => caught.map((m) => String((m.error as { message?: string } | undefined)?.message ?? '')),
  };
}

export function credentialsFor(server: TestSmtpServer, password = server.password): Record<string, Record<string, string>> {
  return { s1: { user: server.user, password } };
}
