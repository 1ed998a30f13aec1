// How "TLS or not" reads, is read back from a run's stored values, and which of two
// sessions to the same database a run record keeps.
import { describe, expect, it } from 'vitest';
import { asConnectionEncryption, describeEncryption, weakerEncryption } from '../../../src/shared/connectionEncryption';

const TLS13 = { tls: true, protocol: 'TLSv1.3' };
const PLAIN = { tls: false };

describe('connection encryption', () => {
  it('reads "TLS (version)" or "not encrypted"', () => {
    expect(describeEncryption(TLS13)).toBe('TLS (TLSv1.3)');
    expect(describeEncryption({ tls: true })).toBe('TLS');
    expect(describeEncryption(PLAIN)).toBe('not encrypted');
  });

  it('reads stored values back, and nothing else', () => {
    expect(asConnectionEncryption({ tls: true, protocol: 'TLSv1.2' })).toEqual({ tls: true, protocol: 'TLSv1.2' });
    expect(asConnectionEncryption({ tls: false, protocol: 7 })).toEqual(PLAIN);
    for (const junk of [null, 'TLS', { tls: 'yes' }, {}]) expect(asConnectionEncryption(junk)).toBeNull();
  });

  it('keeps the weaker of two sessions: plaintext once is plaintext for the record', () => {
    expect(weakerEncryption(undefined, TLS13)).toEqual(TLS13);
    expect(weakerEncryption(null, PLAIN)).toEqual(PLAIN);
    expect(weakerEncryption(TLS13, PLAIN)).toEqual(PLAIN);
    expect(weakerEncryption(PLAIN, TLS13)).toBeNull();
    expect(weakerEncryption(TLS13, TLS13)).toBeNull();
  });
});
