import { isoLocal } from './clock';

describe('isoLocal', () => {
  it('formats local time without offset, the same answer whether it was asked before or not', () => {
    // Local-time constructor: the expected text holds in any time zone.
    const at = (minute: number) => new Date(2026, 0, 2, 3, minute, 5, 6).getTime();
    const text = (minute: number) => `2026-01-02T03:${String(minute).padStart(2, '0')}:05.006`;
    expect(isoLocal(at(4))).toBe('2026-01-02T03:04:05.006');
    // More distinct times than the memo keeps, asked twice over, then in an interleaved order.
    const minutes = Array.from({ length: 20 }, (_, k) => k);
    for (const round of [minutes, minutes, minutes.map((k) => (k * 7) % 20)]) {
      for (const minute of round) expect(isoLocal(at(minute))).toBe(text(minute));
    }
    expect(isoLocal(new Date(1999, 11, 31, 23, 59, 59, 999).getTime())).toBe('1999-12-31T23:59:59.999');
  });
});
