/**
 * Legacy clients send one command per write with no newline and wait for the reply
 * (CONTRACT §3), as the old server took one recv() as one command. So bytes without a newline run
 * at once when they form a whole command: a known command word followed by at least the words it
 * needs, ending on a whole UTF-8 character, within the old server's recv(1024). Anything else may be the first piece of a write that
 * TCP split, and waits (bounded) for the rest. An unknown word is whole unless it could still
 * grow into a known one (`CONS` → `CONSULTA`).
 *
 * Once a connection has sent a newline this rule no longer applies (connection.ts): only
 * newlines end its commands, so `AUMENTAR 1350509525 10` + pause + `00\n` deposits 1000.00.
 */
import { LEGACY_ARGS_MIN, WORD_SEPARATOR } from './legacy-text';

const COMMANDS = Object.keys(LEGACY_ARGS_MIN);

export function isWholeLegacyCommand(bytes: Buffer, bytesMax: number): boolean {
  if (bytes.length > bytesMax || endsInsideCharacter(bytes)) return false;
  const text = bytes.toString('utf8');
  const words = text.trim().split(WORD_SEPARATOR).filter((w) => w.length > 0);
  if (words.length === 0) return true; // blank: "Comando vacío" at once
  const command = words[0].toUpperCase();
  const argsMin = LEGACY_ARGS_MIN[command];
  if (argsMin !== undefined) return words.length - 1 >= argsMin;
  const mayGrow = words.length === 1 && !/\s$/.test(text) && COMMANDS.some((c) => c.startsWith(command));
  return !mayGrow;
}

/** True when the last bytes are the start of a multi-byte UTF-8 character without its end. */
function endsInsideCharacter(bytes: Buffer): boolean {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back;
  }
  return false;
}
