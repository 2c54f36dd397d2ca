import { Logger } from '@nestjs/common';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonStore } from '../persistence/json-store.service';
import { AutoBotConfigService } from './auto-bot-config.service';
import { ConfigValidationError } from './config-validation.error';
import { SettingsFileError } from './settings-file';
import { SystemConfigService } from './system-config.service';

describe('settings files', () => {
  let dir: string;
  let store: JsonStore;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'settings-'));
    store = new JsonStore({ dataDir: dir } as never);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes the defaults out on a first start', async () => {
    const service = new SystemConfigService(store);
    await service.onModuleInit();
    expect(JSON.parse(readFileSync(path.join(dir, 'system_config.json'), 'utf8'))).toMatchObject({
      position_sync_interval: 30,
      rsi_update_interval: 300,
    });
  });

  it('merges data/system_config.json over the defaults', async () => {
    writeFileSync(
      path.join(dir, 'system_config.json'),
      JSON.stringify({ rsi_update_interval: 60, some_future_key: 'kept' }),
    );
    const service = new SystemConfigService(store);
    await service.onModuleInit();
    expect(service.get()).toMatchObject({
      rsi_update_interval: 60,
      position_sync_interval: 30,
      bot_status_update_interval: 30,
      some_future_key: 'kept',
    });
    expect(service.timeframe).toBe('6h');
  });

  it('stops start-up on a value out of range, naming the file, key and range', async () => {
    writeFileSync(path.join(dir, 'system_config.json'), JSON.stringify({ position_sync_interval: 0 }));
    const service = new SystemConfigService(store);
    await expect(service.onModuleInit()).rejects.toThrow(SettingsFileError);
    await expect(service.onModuleInit()).rejects.toThrow(
      'Invalid value in system_config.json: position_sync_interval must be an integer from 1 to 86400 (got 0)',
    );
  });

  it('applies a valid partial update, reports the changes and saves', async () => {
    const service = new AutoBotConfigService(store);
    await service.onModuleInit();
    const seen: string[] = [];
    service.onChange((_c, changes) => seen.push(...changes.map((c) => c.key)));
    const { changes } = await service.update({ enabled: true, max_concurrent: '7', exit_scam_timeframe: '6h' });
    expect(changes).toEqual([
      { key: 'enabled', from: false, to: true },
      { key: 'max_concurrent', from: 5, to: 7 },
    ]);
    expect(seen).toEqual(['enabled', 'max_concurrent']);
    expect(JSON.parse(readFileSync(path.join(dir, 'auto_bot_config.json'), 'utf8'))).toMatchObject({
      enabled: true,
      max_concurrent: 7,
    });
  });

  it('saves nothing when one value of an update is invalid', async () => {
    const service = new AutoBotConfigService(store);
    await service.onModuleInit();
    await expect(service.update({ enabled: true, leverage: 1000 })).rejects.toThrow(ConfigValidationError);
    expect(service.get().enabled).toBe(false);
    // The file still holds the defaults written at first start.
    expect(JSON.parse(readFileSync(path.join(dir, 'auto_bot_config.json'), 'utf8'))).toMatchObject({
      enabled: false,
      leverage: 10,
    });
  });

  it('mirrors the two break-even trigger keys and keeps enabled on restore', async () => {
    const service = new AutoBotConfigService(store);
    await service.onModuleInit();
    await service.update({ break_even_trigger_percent: 8, enabled: true, leverage: 3 });
    expect(service.get()).toMatchObject({ break_even_trigger: 8, break_even_trigger_percent: 8 });
    const restored = await service.restoreDefaults();
    expect(restored).toMatchObject({ enabled: true, leverage: 10, break_even_trigger_percent: 5 });
  });
});
