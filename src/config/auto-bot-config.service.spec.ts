import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonStore } from '../persistence/json-store.service';
import { AutoBotConfigService } from './auto-bot-config.service';
import { ConfigValidationError } from './config-validation.error';

describe('AutoBotConfigService: unsupported limit-order entry', () => {
  let dir: string;
  let store: JsonStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'auto-bot-config-'));
    store = new JsonStore({ dataDir: dir } as never);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('a file written by an older version with limit_orders_entry_enabled on is switched off at load, with a warning, and saved', async () => {
    writeFileSync(
      path.join(dir, 'auto_bot_config.json'),
      JSON.stringify({ limit_orders_entry_enabled: true, max_concurrent: 7, inactive_bot_cleanup_interval: 600 }),
    );
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const service = new AutoBotConfigService(store);
    await service.onModuleInit();
    expect(service.get()).toMatchObject({ limit_orders_entry_enabled: false, max_concurrent: 7 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('limit_orders_entry_enabled was on'));
    expect(JSON.parse(readFileSync(path.join(dir, 'auto_bot_config.json'), 'utf8'))).toMatchObject({
      limit_orders_entry_enabled: false,
      max_concurrent: 7,
    });
  });

  it('update and validate refuse switching it on, naming the key; nothing is applied', async () => {
    const service = new AutoBotConfigService(store);
    await service.onModuleInit();
    await expect(service.update({ limit_orders_entry_enabled: true, max_concurrent: 9 })).rejects.toThrow(
      ConfigValidationError,
    );
    expect(() => service.validate({ limit_orders_entry_enabled: 'true' })).toThrow(
      /limit_orders_entry_enabled: .*not supported/,
    );
    expect(service.get().max_concurrent).toBe(5);
    await expect(service.update({ limit_orders_entry_enabled: false, max_concurrent: 9 })).resolves.toMatchObject({
      config: { max_concurrent: 9 },
    });
  });
});

describe('AutoBotConfigService: signal_candle (docs/settings.md §Signal candle)', () => {
  it("defaults to 'forming', takes 'closed', and refuses anything else naming the key", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'auto-bot-config-'));
    const service = new AutoBotConfigService(new JsonStore({ dataDir: dir } as never));
    await service.onModuleInit();
    expect(service.get().signal_candle).toBe('forming');
    await expect(service.update({ signal_candle: 'last', max_concurrent: 9 })).rejects.toMatchObject({
      key: 'signal_candle',
      message: 'signal_candle must be one of forming, closed (got "last")',
    });
    expect(service.get()).toMatchObject({ signal_candle: 'forming', max_concurrent: 5 });
    await service.update({ signal_candle: 'closed' });
    expect(service.get().signal_candle).toBe('closed');
    expect(JSON.parse(readFileSync(path.join(dir, 'auto_bot_config.json'), 'utf8')).signal_candle).toBe('closed');
  });
});
