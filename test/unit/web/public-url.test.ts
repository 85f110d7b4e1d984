import { describe, expect, test } from 'vitest';
import { fetchableUrl, isPublicAddress, looksPublicUrl } from '../../../src/web/public-url.js';

describe('which links the server may fetch', () => {
  test.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['::', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['not an address', false],
    ['93.184.216.34', true],
    ['2606:2800:220:1:248:1893:25c8:1946', true],
    ['::ffff:93.184.216.34', true],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  test('the link as given: http(s) on a host that is not this machine or a private network', () => {
    expect(looksPublicUrl('https://example.org/p.jpg')).toBe(true);
    expect(looksPublicUrl('http://93.184.216.34/p.jpg')).toBe(true);
    for (const url of [
      'http://localhost/x',
      'http://LOCALHOST.:80/',
      'http://db.internal/x',
      'http://printer.local/',
      'http://[::1]:3000/',
      'http://0x7f.1/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://10.0.0.8/a.png',
    ]) {
      expect(looksPublicUrl(url), url).toBe(false);
    }
  });

  test('a name is looked up: one that resolves to this machine is not fetched', async () => {
    expect(await fetchableUrl('http://localhost:1/x.jpg')).toBe(false);
    expect(await fetchableUrl('http://127.0.0.1:1/x.jpg')).toBe(false);
    expect(await fetchableUrl('http://no-such-host.invalid/x.jpg')).toBe(false);
    expect(await fetchableUrl('https://93.184.216.34/x.jpg')).toBe(true);
  });
});
