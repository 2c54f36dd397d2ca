import { allowedOrigins, nonJsonReason, originAllowed } from './request-guards';

describe('nonJsonReason (JSON-only changes)', () => {
  it.each([
    ['POST', 'application/json', true],
    ['POST', 'application/json; charset=utf-8', true],
    ['PATCH', 'application/merge-patch+json', true],
    ['POST', undefined, false], // the proxy's body-less POST
    ['POST', 'application/json', false], // the UI's "JSON, no body"
    ['GET', 'text/plain', true], // reads are not concerned
    ['OPTIONS', 'application/x-www-form-urlencoded', false],
  ])('%s %s (body %s) passes', (method, type, body) => {
    expect(nonJsonReason(method, type, body)).toBeNull();
  });

  it.each([
    ['POST', 'application/x-www-form-urlencoded', true],
    ['POST', 'application/x-www-form-urlencoded', false], // an empty form at a query-string action
    ['DELETE', 'multipart/form-data; boundary=x', true],
    ['PUT', 'text/plain', true],
    ['POST', undefined, true],
    ['POST', 'application/jsonx', true],
  ])('%s %s (body %s) is refused', (method, type, body) => {
    expect(nonJsonReason(method, type, body)).toMatch(
      /^Unsupported Content-Type: .+ Changes are accepted as JSON only/,
    );
  });
});

describe('originAllowed', () => {
  const listed = allowedOrigins(['http://ui-host:5000', ' http://10.0.0.5:5000/', 'HTTP://Admin.Local:8080//']);
  it('normalises the list once: trimmed, without trailing slashes, lower-case', () => {
    expect([...listed]).toEqual(['http://ui-host:5000', 'http://10.0.0.5:5000', 'http://admin.local:8080']);
  });
  it("accepts listed origins (case and trailing slash aside) and the service's own host", () => {
    expect(originAllowed('http://UI-HOST:5000', listed, 'bots:5001')).toBe(true);
    expect(originAllowed('http://10.0.0.5:5000', listed, 'bots:5001')).toBe(true);
    expect(originAllowed('http://bots:5001', listed, 'bots:5001')).toBe(true);
    expect(originAllowed('http://admin.local:8080', listed, 'bots:5001')).toBe(true);
  });
  it('refuses everything else', () => {
    expect(originAllowed('http://ui-host:5001', listed, 'bots:5001')).toBe(false);
    expect(originAllowed('null', listed, 'bots:5001')).toBe(false);
    expect(originAllowed('http://evil.example', listed, undefined)).toBe(false);
  });
});
