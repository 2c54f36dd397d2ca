import { webhookSignature } from './signer';

describe('webhookSignature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" in hex (reference values from openssl dgst -sha256 -hmac)', () => {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toBe(
      'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
    expect(webhookSignature('other', '1700000000', '{"a":1}')).not.toBe(
      webhookSignature('secret', '1700000000', '{"a":1}'),
    );
    expect(webhookSignature('secret', '1700000001', '{"a":1}')).not.toBe(
      webhookSignature('secret', '1700000000', '{"a":1}'),
    );
  });
});
