import { MAX_TARGET_URL_LENGTH, targetUrlProblem } from './url-validation';

describe('targetUrlProblem', () => {
  it.each([
    'https://hooks.example.com/x?y=1',
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.5/hook',
    'http://[::1]:9000/',
    'http://receiver.local/a',
  ])('accepts %s (loopback and private networks included)', (url) => expect(targetUrlProblem(url)).toBeNull());

  it.each([
    ['', 'must be a non-empty URL'],
    ['hooks.example.com/x', 'must be an absolute http(s) URL'],
    ['ftp://example.com/x', 'must use http or https'],
    ['file:///etc/passwd', 'must use http or https'],
    ['javascript:alert(1)', 'must use http or https'],
    ['https://user:pw@example.com/', 'must not carry a user name or password'],
  ])('refuses %s', (url, problem) => expect(targetUrlProblem(url)).toBe(problem));

  it('bounds the length', () => {
    const base = 'https://example.com/';
    expect(targetUrlProblem(base + 'a'.repeat(MAX_TARGET_URL_LENGTH - base.length))).toBeNull();
    expect(targetUrlProblem(base + 'a'.repeat(MAX_TARGET_URL_LENGTH - base.length + 1))).toBe(
      `must be at most ${MAX_TARGET_URL_LENGTH} characters`,
    );
  });
});
