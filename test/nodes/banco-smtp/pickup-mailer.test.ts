import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PickupMailer } from '../../../nodes/banco-smtp/mailer';

const mail = (id: string) => ({ id, to: ['ops@localhost'], subject: 'Saldo bajo', text: 'texto', html: '<p>texto</p>' });

describe('the pickup folder', () => {
  it('keeps only the newest mails past its bound, deleting the oldest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'banco-pickup-'));
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `2020-01-01T00-00-0${i}-000Z-000${i}-old${i}.eml`), 'old');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a mail');
    const mailer = new PickupMailer(dir, 'Banco Hub <alertas@localhost>', 3);
    await mailer.send(mail('new-1'));
    mailer.close();
    const left = fs.readdirSync(dir).sort();
    expect(left.filter((f) => f.endsWith('.eml'))).toHaveLength(3);
    expect(left.some((f) => f.includes('new-1'))).toBe(true);
    expect(left.some((f) => f.includes('old0') || f.includes('old1') || f.includes('old2'))).toBe(false);
    expect(left).toContain('notes.txt');
    expect(fs.readFileSync(path.join(dir, left.find((f) => f.includes('new-1'))!), 'utf8')).toMatch(/Subject: Saldo bajo/);
  });
});
