/**
 * The legacy text protocol (CONTRACT §3), byte for byte: `COMMAND arg…` in, `OK|…` or `ERROR|…`
 * out. One function per command; `handleLegacyCommand` is the flat dispatcher. Replies here carry
 * no newline: the connection adds one when the command had one.
 */
import { formatCents } from '../ledger/money';
import type { Rechazo, Resultado } from '../ledger/types';
import type { ProtocolContext } from './context';
import { roundAmountArgs } from './legacy-amount';

export interface LegacyReply {
  text: string;
  /** SALIR: close the connection after this reply. */
  close?: boolean;
}

export const LEGACY = {
  vacio: 'ERROR|Comando vacío',
  noReconocido: 'ERROR|Comando no reconocido o parámetros incorrectos',
  formatoMonto: 'ERROR|Formato de monto inválido',
  montoPositivo: 'ERROR|El monto debe ser positivo',
  montoMaximo: 'ERROR|El monto excede el máximo permitido',
  noEncontrado: 'ERROR|Cliente no encontrado',
  yaExiste: 'ERROR|Cliente ya existe',
  nombreApellido: 'ERROR|Debe proporcionar al menos nombre y apellido',
  origenNoExiste: 'ERROR|Cuenta origen no existe',
  destinoNoExiste: 'ERROR|Cuenta destino no existe',
  saldoOrigen: 'ERROR|Saldo insuficiente en cuenta origen',
  cedulaInvalida: 'ERROR|Cédula inválida',
  mismaCuenta: 'ERROR|No se puede transferir a la misma cuenta',
  limiteSaldo: 'ERROR|El saldo resultante excede el máximo permitido',
  demasiadas: 'ERROR|Demasiadas solicitudes, intente más tarde',
  lineaLarga: 'ERROR|Línea demasiado larga',
  noDisponible: 'ERROR|Servicio no disponible, intente de nuevo',
  resultadoIncierto: 'ERROR|No se sabe si la operación se aplicó; consulte su saldo antes de repetirla',
  interno: 'ERROR|Error interno',
  deshabilitado: 'ERROR|Protocolo de texto deshabilitado; use JSON lines',
} as const;

/** Errors every command shares; each command maps its own rule failures first. */
function commonError(r: Rechazo): string {
  switch (r.code) {
    case 'MONTO_INVALIDO':
      return r.motivo === 'no_positivo' ? LEGACY.montoPositivo : r.motivo === 'excede_maximo' ? LEGACY.montoMaximo : LEGACY.formatoMonto;
    case 'CEDULA_INVALIDA':
    case 'CLIENTE_NO_ENCONTRADO':
      return LEGACY.noEncontrado;
    case 'LIMITE_EXCEDIDO':
      return LEGACY.limiteSaldo;
    case 'NO_DISPONIBLE':
      return LEGACY.noDisponible;
    default:
      return LEGACY.interno;
  }
}

async function consulta(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 1) return LEGACY.noReconocido;
  const r = await ctx.ledger.consulta(args[0]);
  if (!r.ok) return commonError(r);
  return `OK|${r.cuenta.nombres}|${r.cuenta.apellidos}|${formatCents(r.cuenta.saldo)}`;
}

async function aumentar(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 2) return LEGACY.noReconocido;
  const r = await ctx.ledger.depositar({ cedula: args[0], monto: args[1] });
  return r.ok && r.tipo === 'depositar' ? `OK|Depósito exitoso|${formatCents(r.saldo_nuevo)}` : movementError(r);
}

async function disminuir(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 2) return LEGACY.noReconocido;
  const r = await ctx.ledger.retirar({ cedula: args[0], monto: args[1] });
  return r.ok && r.tipo === 'retirar' ? `OK|Retiro exitoso|${formatCents(r.saldo_nuevo)}` : movementError(r);
}

function movementError(r: Resultado): string {
  if (r.ok) return LEGACY.interno;
  if (r.code === 'SALDO_INSUFICIENTE') return `ERROR|Saldo insuficiente|${formatCents(r.saldo ?? 0)}`;
  return commonError(r);
}

async function crear(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length < 1) return LEGACY.noReconocido;
  const words = args.slice(1);
  if (words.length < 2) return LEGACY.nombreApellido;
  // Legacy rule: the words split in half, the first half are the given names.
  const half = Math.floor(words.length / 2);
  const r = await ctx.ledger.crear({ cedula: args[0], nombres: words.slice(0, half).join(' '), apellidos: words.slice(half).join(' ') });
  if (r.ok && r.tipo === 'crear') return `OK|Cliente creado exitosamente|${r.cuenta.nombres}|${r.cuenta.apellidos}|${formatCents(r.cuenta.saldo)}`;
  if (r.ok) return LEGACY.interno;
  if (r.code === 'CEDULA_INVALIDA') return LEGACY.cedulaInvalida;
  if (r.code === 'CLIENTE_YA_EXISTE') return LEGACY.yaExiste;
  if (r.code === 'PARAMETRO_INVALIDO') return LEGACY.noReconocido;
  return commonError(r);
}

async function transferir(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 3) return LEGACY.noReconocido;
  const r = await ctx.ledger.transferir({ origen: args[0], destino: args[1], monto: args[2] });
  if (r.ok && r.tipo === 'transferir') return `OK|Transferencia exitosa|${formatCents(r.saldo_origen)}|${formatCents(r.saldo_destino)}`;
  if (r.ok) return LEGACY.interno;
  switch (r.code) {
    case 'CEDULA_INVALIDA':
    case 'CLIENTE_NO_ENCONTRADO':
      return r.cuenta === 'destino' ? LEGACY.destinoNoExiste : LEGACY.origenNoExiste;
    case 'SALDO_INSUFICIENTE':
      return LEGACY.saldoOrigen;
    case 'MISMA_CUENTA':
      return LEGACY.mismaCuenta;
    default:
      return commonError(r);
  }
}

async function historial(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 1) return LEGACY.noReconocido;
  const r = await ctx.ledger.historial(args[0]);
  if (!r.ok) return commonError(r);
  if (r.movimientos.length === 0) return 'OK|Sin transacciones';
  const rows = r.movimientos.map((m) => `${m.tipo}|${formatCents(m.monto)}|${formatCents(m.saldo_final)}|${m.fecha}`);
  return `OK|${rows.join('|')}`;
}

async function stats(ctx: ProtocolContext, args: string[]): Promise<string> {
  if (args.length !== 0) return LEGACY.noReconocido;
  const s = await ctx.estadisticas();
  return `OK|Clientes conectados: ${s.clientes_conectados}|Transacciones: ${s.total_transacciones}|IPs activas: ${s.ips_activas}`;
}

/**
 * Words each command needs after the command word (CREAR: a cédula and at least two names).
 * Legacy framing uses it to tell a whole newline-less command from a piece of one.
 */
/** Between the words of a command (the old server split on whitespace; `\r` stays in the word). */
export const WORD_SEPARATOR = /[ \t]+/;

export const LEGACY_ARGS_MIN: Readonly<Record<string, number>> = { CONSULTA: 1, AUMENTAR: 2, DISMINUIR: 2, CREAR: 3, TRANSFERIR: 3, HISTORIAL: 1, STATS: 0, SALIR: 0 };

export interface LegacyOptions {
  /** BANCO_LEGACY_ROUND_AMOUNTS: more than two decimals are rounded half-up to cents (legacy-amount.ts). */
  roundAmounts: boolean;
}

export async function handleLegacyCommand(ctx: ProtocolContext, line: string, options: LegacyOptions = { roundAmounts: false }): Promise<LegacyReply> {
  // Words are separated by spaces or tabs, as the old server's split() did; but a tab inside the
  // names of CREAR is refused, not silently turned into a space (issue 7).
  const words = line.trim().split(WORD_SEPARATOR).filter((w) => w.length > 0);
  if (words.length === 0) return { text: LEGACY.vacio };
  const command = words[0].toUpperCase();
  const args = options.roundAmounts ? roundAmountArgs(command, words.slice(1)) : words.slice(1);
  switch (command) {
    case 'CONSULTA':
      return { text: await consulta(ctx, args) };
    case 'AUMENTAR':
      return { text: await aumentar(ctx, args) };
    case 'DISMINUIR':
      return { text: await disminuir(ctx, args) };
    case 'CREAR':
      // A tab there would end up inside the stored names as a space: refused instead.
      return { text: line.includes('\t') ? LEGACY.noReconocido : await crear(ctx, args) };
    case 'TRANSFERIR':
      return { text: await transferir(ctx, args) };
    case 'HISTORIAL':
      return { text: await historial(ctx, args) };
    case 'STATS':
      return { text: await stats(ctx, args) };
    case 'SALIR':
      return args.length === 0 ? { text: 'OK|Hasta pronto', close: true } : { text: LEGACY.noReconocido };
    default:
      return { text: LEGACY.noReconocido };
  }
}
