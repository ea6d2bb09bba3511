/**
 * Splits a byte stream into lines at `\n` (a trailing `\r` is dropped), holding at most
 * `maxBytes` of an unfinished line. Lines are decoded as UTF-8 only once complete, so a
 * multi-byte character split across TCP segments survives.
 */
const NEWLINE = 0x0a;

export interface PushResult {
  lines: string[];
  /** The unfinished line grew past the limit; the caller must refuse it. */
  overflow: boolean;
}

export class LineBuffer {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  get pendingBytes(): number {
    return this.size;
  }

  push(chunk: Buffer): PushResult {
    const lines: string[] = [];
    let start = 0;
    let index = chunk.indexOf(NEWLINE, start);
    while (index !== -1) {
      const piece = chunk.subarray(start, index);
      if (this.size + piece.length > this.maxBytes) return { lines, overflow: true };
      lines.push(decodeLine(this.size === 0 ? piece : Buffer.concat([...this.parts, piece])));
      this.parts = [];
      this.size = 0;
      start = index + 1;
      index = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.size + rest.length > this.maxBytes) return { lines, overflow: true };
      this.parts.push(Buffer.from(rest));
      this.size += rest.length;
    }
    return { lines, overflow: false };
  }

  /** The unfinished line, now taken as complete (legacy no-newline commands, end of stream). */
  takeRest(): string | null {
    if (this.size === 0) return null;
    const text = decodeLine(Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
    return text;
  }
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}
