import { apiKeyMatches, isPublicPath } from './api-key';

describe('API key check', () => {
  it('accepts exactly the configured key', () => {
    expect(apiKeyMatches('s3cret-key-123', 's3cret-key-123')).toBe(true);
    expect(apiKeyMatches('s3cret-key-123', 's3cret-key-124')).toBe(false);
    expect(apiKeyMatches('s3cret-key-123', 's3cret-key-1234')).toBe(false); // longer: still compared in constant time
    expect(apiKeyMatches('s3cret-key-123', 's3cret')).toBe(false);
    expect(apiKeyMatches('s3cret-key-123', 'S3CRET-KEY-123')).toBe(false);
  });

  it('refuses an empty, missing or repeated header', () => {
    expect(apiKeyMatches('k-123456', '')).toBe(false);
    expect(apiKeyMatches('k-123456', undefined)).toBe(false);
    expect(apiKeyMatches('k-123456', ['k-123456', 'k-123456'])).toBe(false);
  });

  it('knows the public paths the way Express matches them', () => {
    for (const p of [
      '/health',
      '/health/',
      '/HEALTH',
      '/health/live',
      '/health/ready',
      '/api/status',
      '/api/bots/health',
      '/api/docs',
      '/api/docs-json',
    ]) {
      expect(isPublicPath(p)).toBe(true);
    }
    for (const p of ['/api/bots/status', '/api/bots/list', '/metrics', '/health/liveX', '/api/bots/health/x', '/']) {
      expect(isPublicPath(p)).toBe(false);
    }
  });
});
