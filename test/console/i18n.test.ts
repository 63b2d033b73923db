/** The console's dictionary (src/console/web/i18n.ts) and formatting (format.ts). */
import { bytes, clock, dateTime, isoDate, percent, secondsSince } from '../../src/console/web/format';
import { errorMessage, LANGS, setLang, STRINGS, t, tMaybe } from '../../src/console/web/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console strings', () => {
  afterEach(() => setLang('pt-BR'));

  test('every language has every key, with the same placeholders, and no empty string', () => {
    const keys = Object.keys(STRINGS['pt-BR']).sort();
    for (const lang of LANGS) {
      expect(Object.keys(STRINGS[lang]).sort()).toEqual(keys);
      for (const k of keys) {
        const s = STRINGS[lang][k as keyof (typeof STRINGS)['pt-BR']];
        expect(s.trim()).not.toBe('');
        expect(placeholders(s)).toEqual(placeholders(STRINGS['pt-BR'][k as keyof (typeof STRINGS)['pt-BR']]));
      }
    }
  });

  test('pt-BR by default, English on request, unknown languages fall back to pt-BR', () => {
    expect(t('rep.unavailable')).toBe('Relatórios não disponíveis neste daemon.');
    expect(setLang('en')).toBe('en');
    expect(t('rep.unavailable')).toBe('Reports not available on this daemon.');
    expect(t('wb.reconnecting', { s: 5 })).toBe('Connection lost; reconnecting in 5 s…');
    expect(setLang('fr')).toBe('pt-BR');
    expect(tMaybe('state.on-call', 'x')).toBe('Em chamada');
    expect(tMaybe('state.unknown-state', 'unknown-state')).toBe('unknown-state');
  });

  test('errorMessage: the status in words, then the daemon message', () => {
    expect(errorMessage(403, 'this token is limited to monitoring group(s) support-floor')).toBe('Sem permissão: this token is limited to monitoring group(s) support-floor');
    expect(errorMessage(409, 'agent 1001 is not logged in')).toBe('Recusado: agent 1001 is not logged in');
    expect(errorMessage(0, 'Failed to fetch')).toBe('Sem conexão com o daemon: Failed to fetch');
    setLang('en');
    expect(errorMessage(418, '')).toBe('Error 418');
    expect(errorMessage(503, 'AMI not connected')).toBe('Asterisk unavailable: AMI not connected');
  });
});

describe('console formatting', () => {
  test('clock', () => {
    expect(clock(0)).toBe('00:00');
    expect(clock(75.9)).toBe('01:15');
    expect(clock(3725)).toBe('1:02:05');
    expect(clock(null)).toBe('—');
    expect(clock(-1)).toBe('—');
  });

  test('secondsSince, isoDate, bytes, percent, dateTime', () => {
    expect(secondsSince(1000, 4500)).toBe(3);
    expect(secondsSince(5000, 4500)).toBe(0);
    expect(secondsSince(null, 1)).toBeNull();
    expect(isoDate(new Date(2026, 0, 5, 23, 59).getTime())).toBe('2026-01-05');
    expect(bytes(512, 'en')).toBe('512 B');
    expect(bytes(1536, 'pt-BR')).toBe('1,5 KB');
    expect(bytes(5 * 1024 * 1024, 'en')).toBe('5 MB');
    expect(percent(87.5, 'en')).toBe('87.5%');
    expect(percent(null, 'en')).toBe('—');
    expect(dateTime(null, 'en')).toBe('—');
    expect(dateTime(new Date(2026, 11, 6, 14, 3, 7).getTime(), 'pt-BR')).toMatch(/06\/12\/2026.*14:03:07/);
  });
});
