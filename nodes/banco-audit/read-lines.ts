/**
 * Reads a file as "\n"-terminated lines without holding it in memory. Each line says where it
 * starts and whether it was terminated: an unterminated last line is a torn write. A line longer
 * than `maxBytes` is reported as `tooLong` with its text cut, so a corrupt file cannot exhaust memory.
 */
import fs from 'node:fs';

export interface FileLine {
  /** 1-based line number. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  text: string;
  terminated: boolean;
  tooLong: boolean;
}

const NEWLINE = 0x0a;

export async function* readLines(file: string, maxBytes: number): AsyncGenerator<FileLine> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  let line = 1;
  let offset = 0;
  let lineStart = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE, from); nl !== -1; nl = chunk.indexOf(NEWLINE, from)) {
      const piece = chunk.subarray(from, nl);
      if (!tooLong && partBytes + piece.length <= maxBytes) parts.push(piece);
      else tooLong = true;
      yield { line, offset: lineStart, text: Buffer.concat(parts).toString('utf8'), terminated: true, tooLong };
      line += 1;
      lineStart = offset + nl + 1;
      parts = [];
      partBytes = 0;
      tooLong = false;
      from = nl + 1;
    }
    const rest = chunk.subarray(from);
    if (!tooLong && partBytes + rest.length <= maxBytes) {
      parts.push(Buffer.from(rest));
      partBytes += rest.length;
    } else tooLong = true;
    offset += chunk.length;
  }
  if (partBytes > 0 || tooLong) yield { line, offset: lineStart, text: Buffer.concat(parts).toString('utf8'), terminated: false, tooLong };
}
