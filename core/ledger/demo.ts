/** Demo clients of the legacy system (CONTRACT §2), seeded into an empty database in dev mode. */
import type { SeedAccount } from '../store/store';
import { hashPin } from './pin';

/** Every demo client logs in to the bridge with this PIN (dev mode only; documented in README). */
export const DEMO_PIN = '1234';

const DEMO: ReadonlyArray<Omit<SeedAccount, 'pinHash'>> = [
  { cedula: '1315151515', nombres: 'Juan', apellidos: 'Pérez García', saldo: 150000 },
  { cedula: '1720304050', nombres: 'María Elena', apellidos: 'Rodríguez López', saldo: 235075 },
  { cedula: '0987654321', nombres: 'Pedro José', apellidos: 'Martínez Silva', saldo: 89050 },
  { cedula: '1104567890', nombres: 'Ana María', apellidos: 'González Torres', saldo: 320000 },
  { cedula: '0912345678', nombres: 'Luis Alberto', apellidos: 'Fernández Ruiz', saldo: 45025 },
  { cedula: '1350509525', nombres: 'Stefano', apellidos: 'Aguilar', saldo: 500000 },
];

export async function demoAccounts(): Promise<SeedAccount[]> {
  const pinHash = await hashPin(DEMO_PIN);
  return DEMO.map((a) => ({ ...a, pinHash }));
}
