import request from 'supertest';
import { ManualClock } from '../src/common/clock';
import { bot, eventually, waitForCoins, workers, type CoinView } from './support/bots';
import { createTestApp, type TestApp } from './support/test-app';

jest.setTimeout(120_000);

/**
 * Drop-in check for the ORIGINAL clients (inventory: docs/client-compat.md): the web UI (bots_manager.js, calling
 * :5001 directly), the :5000 proxy (app.py) and the Python helpers. Every call is replayed with the body the client
 * sends (same keys, same JSON types, same content type or none) and every field the client then reads is checked
 * for presence and type. A client call answered 4xx/5xx where the original answered 2xx is a failure.
 */

type Kind =
  'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null' | 'number|null' | 'object|null' | 'string[]';

/** Type mismatches of `value` against `shape` (dotted paths; '*' = every key of an object / item of an array). */
function shapeErrors(value: unknown, shape: Record<string, Kind>, where: string): string[] {
  const errors: string[] = [];
  const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const matches = (v: unknown, kind: Kind): boolean => {
    if (kind === 'string[]') return Array.isArray(v) && v.every((x) => typeof x === 'string');
    return kind.split('|').includes(kindOf(v)) && !(typeof v === 'number' && !Number.isFinite(v));
  };
  const resolve = (root: unknown, path: string[]): Array<[string, unknown, boolean]> => {
    if (path.length === 0) return [['', root, true]];
    const [head, ...rest] = path;
    if (root === null || typeof root !== 'object') return [[head, undefined, false]];
    const entries: Array<[string, unknown]> =
      head === '*' ? Object.entries(root as object) : [[head, (root as Record<string, unknown>)[head]]];
    return entries.flatMap(([k, v]) => {
      const present = head === '*' || Object.prototype.hasOwnProperty.call(root, head);
      if (!present) return [[k, undefined, false] as [string, unknown, boolean]];
      return resolve(v, rest).map(([sub, val, ok]) => [sub ? `${k}.${sub}` : k, val, ok] as [string, unknown, boolean]);
    });
  };
  for (const [path, kind] of Object.entries(shape)) {
    for (const [at, v, present] of resolve(value, path.split('.'))) {
      if (!present) errors.push(`${where}: ${path} missing`);
      else if (!matches(v, kind)) {
        errors.push(
          `${where}: ${at || path} is ${kindOf(v)} (${JSON.stringify(v)?.slice(0, 60)}), client expects ${kind}`,
        );
      }
    }
  }
  return errors;
}

describe('original clients (web UI, app.py proxy, python helpers) against our API', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 3, 0));
  let t: TestApp;
  let coins: CoinView[];
  const problems: string[] = [];

  /** One client call; anything but 2xx is recorded as a compatibility problem. */
  async function call(
    method: 'get' | 'post' | 'delete',
    path: string,
    opts: { json?: unknown; rawJson?: string; jsonHeaderNoBody?: boolean } = {},
  ) {
    let req = request(t.http)[method](path).set('Origin', 'http://192.168.1.10:5000');
    if (opts.json !== undefined) req = req.set('Content-Type', 'application/json').send(JSON.stringify(opts.json));
    else if (opts.rawJson !== undefined) req = req.set('Content-Type', 'application/json').send(opts.rawJson);
    else if (opts.jsonHeaderNoBody) req = req.set('Content-Type', 'application/json');
    const res = await req;
    if (res.status < 200 || res.status >= 300) {
      problems.push(`${method.toUpperCase()} ${path} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    return res;
  }
  function check(value: unknown, shape: Record<string, Kind>, where: string) {
    problems.push(...shapeErrors(value, shape, where));
  }

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { PAPER_SYMBOLS: '60' } });
    await workers(t).stop();
    coins = (await waitForCoins(t)).filter((c) => c.trading_status === 'Trading' && !c.is_delisting);
  });
  afterAll(async () => t?.close());
  afterEach(() => {
    const found = problems.splice(0);
    expect(found).toEqual([]);
  });

  it('page start-up and the poll loop (status, sync, delisted, coins, mature list, list + auto-bot, active-detailed, account)', async () => {
    const status = await call('get', '/api/status');
    expect(status.body.status).toBe('online');

    // The UI posts sync-positions with a JSON content type and no body; the proxy posts it with no body at all.
    check(
      (await call('post', '/api/bots/sync-positions', { jsonHeaderNoBody: true })).body,
      { success: 'boolean' },
      'sync-positions (UI)',
    );
    check((await call('post', '/api/bots/sync-positions')).body, { success: 'boolean' }, 'sync-positions (proxy POST)');
    check((await call('get', '/api/bots/sync-positions')).body, { success: 'boolean' }, 'sync-positions (proxy GET)');

    check(
      (await call('get', '/api/bots/delisted-coins')).body,
      { success: 'boolean', delisted_coins: 'object' },
      'delisted-coins',
    );

    const feed = (await call('get', '/api/bots/coins-with-rsi')).body;
    check(
      feed,
      {
        success: 'boolean',
        coins: 'object',
        data_version: 'number',
        update_in_progress: 'boolean',
        manual_positions: 'string[]',
        last_update: 'string|null',
        'stats.total_coins': 'number',
        'stats.successful_coins': 'number',
        'stats.failed_coins': 'number',
      },
      'coins-with-rsi',
    );
    // Per coin: what the list, the filters, the detail card and the python scripts read (timeframe 6h).
    check(
      feed.coins,
      {
        '*.symbol': 'string',
        '*.rsi6h': 'number',
        '*.trend6h': 'string',
        '*.rsi_zone': 'string',
        '*.signal': 'string',
        '*.effective_signal': 'string',
        '*.price': 'number',
        '*.change24h': 'number',
        '*.trading_status': 'string',
        '*.is_mature': 'boolean',
        '*.is_delisting': 'boolean',
        '*.blocked_by_scope': 'boolean',
        '*.blocked_by_exit_scam': 'boolean',
        '*.blocked_by_rsi_time': 'boolean',
        '*.blocked_by_loss_reentry': 'boolean',
        '*.enhanced_rsi': 'object',
        '*.enhanced_rsi.enabled': 'boolean',
      },
      'coins-with-rsi coin',
    );
    expect(Object.keys(feed.coins).length).toBeGreaterThan(0);
    // Python scripts refresh one coin through the query string.
    const refreshed = (await call('get', `/api/bots/coins-with-rsi?refresh_symbol=${coins[0].symbol}`)).body;
    check(
      refreshed,
      { [`coins.${coins[0].symbol}.rsi6h`]: 'number', [`coins.${coins[0].symbol}.signal`]: 'string' },
      'coins-with-rsi?refresh_symbol',
    );

    const mature = (await call('get', '/api/bots/mature-coins-list')).body;
    check(mature, { success: 'boolean', mature_coins: 'string[]', total_count: 'number' }, 'mature-coins-list');

    const [list, autoBot] = await Promise.all([call('get', '/api/bots/list'), call('get', '/api/bots/auto-bot')]);
    check(list.body, { success: 'boolean', bots: 'array' }, 'list');
    check(autoBot.body, { success: 'boolean', 'config.enabled': 'boolean' }, 'auto-bot (poll)');
    check(
      (await call('get', '/api/bots/active-detailed')).body,
      { success: 'boolean', bots: 'array' },
      'active-detailed',
    );

    // account-info goes through the :5000 proxy; the UI reads these and parses them as numbers.
    const account = (await call('get', '/api/bots/account-info')).body;
    check(
      account,
      {
        success: 'boolean',
        total_wallet_balance: 'number',
        total_available_balance: 'number',
        total_unrealized_pnl: 'number',
        active_positions: 'number',
        active_bots: 'number',
        insufficient_funds: 'boolean',
      },
      'account-info',
    );

    // The page is served from :5000 and calls :5001 cross-origin, with a JSON preflight for POSTs.
    const preflight = await request(t.http)
      .options('/api/bots/auto-bot')
      .set('Origin', 'http://192.168.1.10:5000')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers['access-control-allow-origin']).toBeDefined();
  });

  it('config screen: GET auto-bot / system-config / timeframe carry every key the form maps', async () => {
    const config = (await call('get', '/api/bots/auto-bot')).body.config;
    const num = 'number' as const;
    const bool = 'boolean' as const;
    check(
      config,
      {
        enabled: bool,
        max_concurrent: num,
        risk_cap_percent: num,
        scope: 'string',
        whitelist: 'string[]',
        blacklist: 'string[]',
        ai_enabled: bool,
        ai_min_confidence: num,
        ai_override_original: bool,
        ai_optimal_entry_enabled: bool,
        rsi_long_threshold: num,
        rsi_short_threshold: num,
        rsi_exit_long_with_trend: num,
        rsi_exit_long_against_trend: num,
        rsi_exit_short_with_trend: num,
        rsi_exit_short_against_trend: num,
        rsi_exit_min_candles: num,
        rsi_exit_min_minutes: num,
        rsi_exit_min_move_percent: num,
        exit_wait_breakeven_when_loss: bool,
        default_position_size: num,
        default_position_mode: 'string',
        leverage: num,
        check_interval: num,
        max_loss_percent: num,
        take_profit_percent: num,
        close_at_profit_enabled: bool,
        trailing_stop_activation: num,
        trailing_stop_distance: num,
        trailing_take_distance: num,
        trailing_update_interval: num,
        max_position_hours: num,
        break_even_protection: bool,
        break_even_trigger: num,
        break_even_trigger_percent: num,
        loss_reentry_protection: bool,
        loss_reentry_count: num,
        loss_reentry_candles: num,
        avoid_down_trend: bool,
        avoid_up_trend: bool,
        trend_detection_enabled: bool,
        trend_analysis_period: num,
        trend_price_change_threshold: num,
        trend_candles_threshold: num,
        enable_maturity_check: bool,
        min_candles_for_maturity: num,
        min_rsi_low: num,
        max_rsi_high: num,
        min_volatility_threshold: num,
        rsi_time_filter_enabled: bool,
        rsi_time_filter_candles: num,
        rsi_time_filter_upper: num,
        rsi_time_filter_lower: num,
        exit_scam_enabled: bool,
        exit_scam_candles: num,
        exit_scam_single_candle_percent: num,
        exit_scam_multi_candle_count: num,
        exit_scam_multi_candle_percent: num,
        exit_scam_timeframe: 'string',
        exit_scam_auto_learn_enabled: bool,
        trading_enabled: bool,
        use_test_server: bool,
        limit_orders_entry_enabled: bool,
        limit_orders_percent_steps: 'array',
        limit_orders_margin_amounts: 'array',
      },
      'auto-bot config',
    );
    expect(['all', 'whitelist', 'blacklist']).toContain(config.scope);

    const system = (await call('get', '/api/bots/system-config')).body;
    check(
      system,
      {
        success: bool,
        'config.position_sync_interval': num,
        'config.mini_chart_update_interval': num,
        'config.rsi_update_interval': num,
        'config.auto_save_interval': num,
        'config.refresh_interval': num,
        'config.inactive_bot_cleanup_interval': num,
        'config.inactive_bot_timeout': num,
        'config.stop_loss_setup_interval': num,
        'config.debug_mode': bool,
        'config.enhanced_rsi_enabled': bool,
        'config.enhanced_rsi_require_volume_confirmation': bool,
        'config.enhanced_rsi_require_divergence_confirmation': bool,
        'config.enhanced_rsi_use_stoch_rsi': bool,
        'config.rsi_extreme_zone_timeout': num,
        'config.rsi_extreme_oversold': num,
        'config.rsi_extreme_overbought': num,
        'config.rsi_volume_confirmation_multiplier': num,
        'config.rsi_divergence_lookback': num,
        'config.bybit_margin_mode': 'string',
        'config.timeframe': 'string',
      },
      'system-config',
    );
    check((await call('get', '/api/bots/timeframe')).body, { success: bool, timeframe: 'string' }, 'timeframe');
  });

  it('auto-bot POST: whole-config echo, section saves, single toggles, filters, limit orders, reset-to-defaults', async () => {
    const original = (await call('get', '/api/bots/auto-bot')).body.config;
    const system = (await call('get', '/api/bots/system-config')).body.config;

    // "Save all": the cached GET answer deep-copied, plus every form field of the config tab mapped by its id
    // (system keys and stray ids included, selects as strings, max position time converted seconds -> hours).
    const echo = {
      ...structuredClone(original),
      enhanced_rsi_enabled: system.enhanced_rsi_enabled,
      rsi_update_interval: system.rsi_update_interval,
      position_sync_interval: system.position_sync_interval,
      bybit_margin_mode: system.bybit_margin_mode,
      system_timeframe: '6h',
      coin_search_input: '',
      filters_search_input: '',
      exit_scam_timeframe: '6h',
      default_position_mode: original.default_position_mode,
    };
    const saved = (await call('post', '/api/bots/auto-bot', { json: echo })).body;
    check(
      saved,
      {
        success: 'boolean',
        changes_count: 'number',
        changed_params: 'array',
        message: 'string',
        'config.enabled': 'boolean',
      },
      'auto-bot echo',
    );
    expect(saved.success).toBe(true);
    // Nothing the user changed: the UI then says "no changes".
    expect(saved.changes_count).toBe(0);

    // The system half of "save all" (the timeframe select lands here as `timeframe` and is ignored).
    const systemSave: Record<string, unknown> = {
      ...Object.fromEntries(
        [
          'enhanced_rsi_enabled',
          'enhanced_rsi_require_volume_confirmation',
          'enhanced_rsi_require_divergence_confirmation',
          'enhanced_rsi_use_stoch_rsi',
          'rsi_extreme_zone_timeout',
          'rsi_extreme_oversold',
          'rsi_extreme_overbought',
          'rsi_volume_confirmation_multiplier',
          'rsi_divergence_lookback',
          'rsi_update_interval',
          'auto_save_interval',
          'debug_mode',
          'position_sync_interval',
          'inactive_bot_cleanup_interval',
          'inactive_bot_timeout',
          'stop_loss_setup_interval',
        ].map((k) => [k, system[k]]),
      ),
      timeframe: '6h',
      bybit_margin_mode: 'auto',
    };
    systemSave.refresh_interval = systemSave.position_sync_interval;
    check(
      (await call('post', '/api/bots/system-config', { json: systemSave })).body,
      { success: 'boolean', config: 'object' },
      'system-config save all',
    );

    // Section saves send only the changed keys.
    const basic = (
      await call('post', '/api/bots/auto-bot', {
        json: {
          enabled: false,
          max_concurrent: 7,
          risk_cap_percent: 10,
          scope: 'all',
          ai_enabled: original.ai_enabled,
          ai_min_confidence: 0.7,
          ai_override_original: true,
        },
      })
    ).body;
    check(basic, { success: 'boolean', changes_count: 'number', changed_params: 'array' }, 'auto-bot basic section');
    expect(basic.config.max_concurrent).toBe(7);
    await call('post', '/api/bots/auto-bot', {
      json: {
        break_even_protection: true,
        break_even_trigger_percent: 12.5,
        max_position_hours: 1800 / 3600,
        avoid_down_trend: true,
        loss_reentry_count: 2,
      },
    });
    const afterProtect = (await call('get', '/api/bots/auto-bot')).body.config;
    expect(afterProtect).toMatchObject({
      break_even_trigger_percent: 12.5,
      break_even_trigger: 12.5,
      max_position_hours: 0.5,
      avoid_down_trend: true,
    });

    // Global toggle and the per-field toggle/select saver (selects and hidden inputs post strings).
    const on = (await call('post', '/api/bots/auto-bot', { json: { enabled: true } })).body;
    expect(on.config.enabled).toBe(true);
    expect((await call('post', '/api/bots/auto-bot', { json: { enabled: false } })).body.config.enabled).toBe(false);
    await call('post', '/api/bots/auto-bot', { json: { default_position_mode: 'percent' } });
    await call('post', '/api/bots/auto-bot', { json: { exit_scam_timeframe: '6h' } });
    await call('post', '/api/bots/auto-bot', { json: { scope: 'all' } });
    await call('post', '/api/bots/system-config', { json: { timeframe: '6h' } });
    await call('post', '/api/bots/system-config', { json: { bybit_margin_mode: 'cross' } });
    await call('post', '/api/bots/system-config', { json: { debug_mode: true } });
    expect((await call('get', '/api/bots/system-config')).body.config).toMatchObject({
      bybit_margin_mode: 'cross',
      debug_mode: true,
    });
    // The original parsed numeric strings in auto-bot updates.
    expect(
      (await call('post', '/api/bots/auto-bot', { json: { max_concurrent: '9' } })).body.config.max_concurrent,
    ).toBe(9);

    // Whitelist / blacklist editor and the JSON list import.
    const [a, b] = coins.map((c) => c.symbol);
    await call('post', '/api/bots/auto-bot', { json: { whitelist: [a], blacklist: [b], scope: 'whitelist' } });
    const filters = (await call('get', '/api/bots/auto-bot')).body.config;
    expect(filters).toMatchObject({ whitelist: [a], blacklist: [b], scope: 'whitelist' });
    await call('post', '/api/bots/auto-bot', { json: { whitelist: [], blacklist: [], scope: 'all' } });

    // Limit-order ladder editor.
    await call('post', '/api/bots/auto-bot', {
      json: {
        limit_orders_entry_enabled: false,
        limit_orders_percent_steps: [0, 0.5, 1],
        limit_orders_margin_amounts: [5, 5, 5],
      },
    });
    expect((await call('get', '/api/bots/auto-bot')).body.config).toMatchObject({
      limit_orders_percent_steps: [0, 0.5, 1],
      limit_orders_margin_amounts: [5, 5, 5],
    });

    // "Reset to defaults" posts a hard-coded default object to both endpoints (with UI-only keys such as
    // auto_refresh_ui).
    const uiDefaults = {
      enabled: false,
      max_concurrent: 5,
      risk_cap_percent: 10,
      scope: 'all',
      rsi_long_threshold: 29,
      rsi_short_threshold: 71,
      rsi_exit_long_with_trend: 65,
      rsi_exit_long_against_trend: 60,
      rsi_exit_short_with_trend: 35,
      rsi_exit_short_against_trend: 40,
      rsi_exit_min_candles: 0,
      rsi_exit_min_minutes: 0,
      rsi_exit_min_move_percent: 0,
      exit_wait_breakeven_when_loss: true,
      default_position_size: 10,
      default_position_mode: 'usdt',
      check_interval: 180,
      max_loss_percent: 15.0,
      take_profit_percent: 5.0,
      close_at_profit_enabled: true,
      trailing_stop_activation: 20.0,
      trailing_stop_distance: 5.0,
      trailing_take_distance: 0.5,
      trailing_update_interval: 3.0,
      max_position_hours: 0,
      break_even_protection: true,
      loss_reentry_protection: true,
      loss_reentry_count: 1,
      loss_reentry_candles: 3,
      avoid_down_trend: true,
      avoid_up_trend: true,
      trend_detection_enabled: true,
      trend_analysis_period: 30,
      trend_price_change_threshold: 7,
      trend_candles_threshold: 70,
      break_even_trigger: 20.0,
      enable_maturity_check: true,
      min_candles_for_maturity: 200,
      min_rsi_low: 35,
      max_rsi_high: 65,
      trading_enabled: true,
      use_test_server: false,
      enhanced_rsi_enabled: true,
      enhanced_rsi_require_volume_confirmation: true,
      enhanced_rsi_require_divergence_confirmation: false,
      enhanced_rsi_use_stoch_rsi: true,
      rsi_extreme_zone_timeout: 3,
      rsi_extreme_oversold: 20,
      rsi_extreme_overbought: 80,
      rsi_volume_confirmation_multiplier: 1.2,
      rsi_divergence_lookback: 10,
    };
    expect((await call('post', '/api/bots/auto-bot', { json: uiDefaults })).body.success).toBe(true);
    const uiSystemDefaults = {
      rsi_update_interval: 1800,
      auto_save_interval: 30,
      debug_mode: false,
      auto_refresh_ui: true,
      refresh_interval: 3,
      position_sync_interval: 600,
      inactive_bot_cleanup_interval: 600,
      inactive_bot_timeout: 600,
      stop_loss_setup_interval: 300,
    };
    expect((await call('post', '/api/bots/system-config', { json: uiSystemDefaults })).body.success).toBe(true);
    // Back to the seed values so the rest of the suite runs on defaults.
    await call('post', '/api/bots/auto-bot/restore-defaults', { jsonHeaderNoBody: true });
    await call('post', '/api/bots/system-config', {
      json: {
        position_sync_interval: system.position_sync_interval,
        rsi_update_interval: system.rsi_update_interval,
        refresh_interval: system.refresh_interval,
        inactive_bot_timeout: system.inactive_bot_timeout,
        inactive_bot_cleanup_interval: system.inactive_bot_cleanup_interval,
        stop_loss_setup_interval: system.stop_loss_setup_interval,
        bybit_margin_mode: system.bybit_margin_mode,
      },
    });
  });

  it('export-config, then import-config of the exported file (as the UI wraps it)', async () => {
    const exported = (await call('get', '/api/bots/export-config')).body;
    check(
      exported,
      {
        success: 'boolean',
        timeframe: 'string',
        'config.autoBot': 'object',
        'config.system': 'object',
        'config.ai': 'object',
      },
      'export-config',
    );
    // The saved file: the config blocks plus exportedAt / timeframe / version; import posts {config: file}.
    const file = {
      ...exported.config,
      exportedAt: '2026-01-05T03:00:00.000Z',
      timeframe: exported.timeframe,
      version: 1,
    };
    const imported = (await call('post', '/api/bots/import-config', { json: { config: file } })).body;
    check(
      imported,
      { success: 'boolean', 'applied.autoBot': 'boolean', 'applied.system': 'boolean', 'applied.ai': 'boolean' },
      'import-config',
    );
    expect(imported.success).toBe(true);
    // The same file at the top level also imports.
    expect((await call('post', '/api/bots/import-config', { json: file })).body.success).toBe(true);
  });

  it('individual settings: UI panel, learn / copy / reset buttons, and the python optimisers', async () => {
    const symbol = coins[2].symbol;
    // No settings yet: the UI treats 404 as "none" (so this one is allowed to be 404).
    expect((await request(t.http).get(`/api/bots/individual-settings/${symbol}`)).status).toBe(404);

    // The panel's payload: duplicate-form values (ints via parseInt, floats via parseFloat), system-only enhanced RSI
    // flags, max position time in hours from seconds, break-even trigger under both names, and the coin's
    // volume_mode / volume_value / leverage.
    const panel = {
      rsi_long_threshold: 27,
      rsi_short_threshold: 73,
      rsi_exit_long_with_trend: 65,
      rsi_exit_long_against_trend: 60,
      rsi_exit_short_with_trend: 35,
      rsi_exit_short_against_trend: 40,
      max_loss_percent: 12.5,
      take_profit_percent: 0,
      close_at_profit_enabled: false,
      trailing_stop_activation: 10,
      trailing_stop_distance: 5,
      trailing_take_distance: 0.5,
      trailing_update_interval: 3,
      max_position_hours: 5400 / 3600,
      break_even_protection: true,
      break_even_trigger: 15,
      break_even_trigger_percent: 15,
      avoid_down_trend: false,
      avoid_up_trend: false,
      loss_reentry_protection: true,
      loss_reentry_count: 1,
      loss_reentry_candles: 3,
      enable_maturity_check: true,
      min_candles_for_maturity: 400,
      min_rsi_low: 35,
      max_rsi_high: 65,
      rsi_time_filter_enabled: true,
      rsi_time_filter_candles: 7,
      rsi_time_filter_upper: 65,
      rsi_time_filter_lower: 35,
      exit_scam_enabled: true,
      exit_scam_candles: 8,
      exit_scam_single_candle_percent: 15,
      exit_scam_multi_candle_count: 4,
      exit_scam_multi_candle_percent: 50,
      trend_detection_enabled: true,
      trend_analysis_period: 30,
      trend_price_change_threshold: 7,
      trend_candles_threshold: 70,
      enhanced_rsi_enabled: true,
      enhanced_rsi_require_volume_confirmation: true,
      enhanced_rsi_require_divergence_confirmation: false,
      enhanced_rsi_use_stoch_rsi: true,
      volume_mode: 'usdt',
      volume_value: 25,
      leverage: 3,
    };
    const saved = (await call('post', `/api/bots/individual-settings/${symbol}`, { json: panel })).body;
    check(saved, { success: 'boolean', settings: 'object' }, 'individual-settings save');
    const loaded = (await call('get', `/api/bots/individual-settings/${symbol}`)).body;
    check(loaded, { success: 'boolean', settings: 'object' }, 'individual-settings load');
    expect(loaded.settings).toMatchObject({
      rsi_long_threshold: 27,
      max_loss_percent: 12.5,
      max_position_hours: 1.5,
      volume_value: 25,
      leverage: 3,
      volume_mode: 'usdt',
    });

    // Buttons: learn for the coin (UI sends the exit-scam timeframe select), learn for all, reset, copy (no body, no
    // header).
    const learned = (
      await call('post', `/api/bots/individual-settings/${symbol}/learn-exit-scam`, {
        json: { aggressiveness: 'normal', timeframe: '6h' },
      })
    ).body;
    check(
      learned,
      {
        success: 'boolean',
        'params.exit_scam_single_candle_percent': 'number',
        'params.exit_scam_multi_candle_count': 'number',
        'params.exit_scam_multi_candle_percent': 'number',
      },
      'learn-exit-scam',
    );
    const all = (
      await call('post', '/api/bots/individual-settings/learn-exit-scam-all', {
        json: { aggressiveness: 'normal', timeframe: '6h' },
      })
    ).body;
    check(
      all,
      {
        success: 'boolean',
        updated_count: 'number',
        failed_count: 'number',
        sample_params: 'array',
        'sample_params.*.symbol': 'string',
        'sample_params.*.exit_scam_single_candle_percent': 'number',
      },
      'learn-exit-scam-all',
    );
    check(
      (await call('post', '/api/bots/individual-settings/reset-exit-scam-all', { rawJson: '{}' })).body,
      { success: 'boolean', reset_count: 'number' },
      'reset-exit-scam-all',
    );
    check(
      (await call('post', `/api/bots/individual-settings/${symbol}/copy-to-all`)).body,
      { success: 'boolean', copied_count: 'number' },
      'copy-to-all',
    );
    check(
      (await call('delete', `/api/bots/individual-settings/${symbol}`)).body,
      { success: 'boolean' },
      'individual-settings delete',
    );
    check(
      (await call('delete', '/api/bots/individual-settings/reset-all')).body,
      { success: 'boolean', removed_count: 'number' },
      'reset-all',
    );

    // Python: the strategy optimiser posts its best parameters with bookkeeping keys (text, numbers, a nested tally);
    // the trainer posts its settings with ai_* keys and nulls; the AI bot manager posts {symbol, config}.
    const optimiser = {
      rsi_long_threshold: 25,
      rsi_short_threshold: 75,
      rsi_exit_long_with_trend: 60,
      rsi_exit_long_against_trend: 55,
      rsi_exit_short_with_trend: 40,
      rsi_exit_short_against_trend: 45,
      max_loss_percent: 10,
      take_profit_percent: 20,
      trailing_stop_activation: 15,
      trailing_stop_distance: 4,
      trailing_take_distance: 0.6,
      trailing_update_interval: 3,
      break_even_trigger: 18,
      break_even_protection: true,
      optimized_at: '2026-01-05T03:00:00',
      optimization_win_rate: 82.5,
      optimization_total_pnl: 140.2,
      optimization_trades_count: 40,
      parameter_genome_version: 'default',
      exit_reasons_analysis: { RSI_EXIT: 30, STOP_LOSS: 10 },
    };
    expect(
      (await call('post', `/api/bots/individual-settings/${symbol}`, { json: optimiser })).body.settings,
    ).toMatchObject({ rsi_long_threshold: 25, break_even_trigger: 18 });
    const trainer = {
      rsi_long_threshold: 26,
      rsi_short_threshold: 74,
      max_loss_percent: 14,
      take_profit_percent: null,
      max_position_hours: 24,
      rsi_time_filter_enabled: true,
      rsi_time_filter_candles: 6,
      rsi_time_filter_upper: null,
      rsi_time_filter_lower: null,
      exit_scam_enabled: true,
      exit_scam_candles: 8,
      avoid_down_trend: false,
      enable_maturity_check: true,
      ai_trained: true,
      ai_win_rate: 0.81,
      ai_rating: 3,
      ai_trained_at: '2026-01-05T03:00:00',
      ai_trades_count: 12,
      ai_total_pnl: 33.1,
    };
    expect(
      (await call('post', `/api/bots/individual-settings/${symbol}`, { json: trainer })).body.settings,
    ).toMatchObject({ rsi_long_threshold: 26, max_position_hours: 24 });
    expect(
      (
        await call('post', `/api/bots/individual-settings/${symbol}`, {
          json: { symbol, config: { rsi_long_threshold: 24 } },
        })
      ).body.success,
    ).toBe(true);
    await call('delete', `/api/bots/individual-settings/${symbol}`);
  });

  it('bot lifecycle as the UI, bots.html, app.py and the AI bot manager drive it', async () => {
    const [one, two, three] = coins.slice(3, 6).map((c) => c.symbol);
    // UI create: overrides from the form (select "qty" included), the coin's signal, maturity skipped, forced entry.
    const created = (
      await call('post', '/api/bots/create', {
        json: {
          symbol: one,
          config: { volume_mode: 'usdt', volume_value: 20, leverage: 5 },
          signal: 'ENTER_LONG',
          skip_maturity_check: true,
          force_manual_entry: true,
        },
      })
    ).body;
    check(
      created,
      {
        success: 'boolean',
        'bot.status': 'string',
        'bot.volume_mode': 'string',
        'bot.volume_value': 'number',
        'bot.created_at': 'string',
        'bot.unrealized_pnl': 'number',
        'bot.entry_price': 'number|null',
        'bot.position_side': 'string|null',
      },
      'create (UI)',
    );
    // bots.html's quick button: no config block, so the volume the UI saved with the coin's settings applies.
    await call('post', `/api/bots/individual-settings/${two}`, {
      json: { volume_mode: 'usdt', volume_value: 30, leverage: 4 },
    });
    const quick = (
      await call('post', '/api/bots/create', {
        json: { symbol: two, signal: 'ENTER_SHORT', skip_maturity_check: true, force_manual_entry: true },
      })
    ).body;
    expect(quick.bot).toMatchObject({ volume_mode: 'usdt', volume_value: 30, leverage: 4 });
    await call('delete', `/api/bots/individual-settings/${two}`);
    // The form's volume select also offers "qty" (a legacy amount mode of the original).
    const qty = (
      await call('post', '/api/bots/create', {
        json: {
          symbol: three,
          config: { volume_mode: 'qty', volume_value: 10, leverage: 10 },
          signal: 'WAIT',
          skip_maturity_check: true,
          force_manual_entry: true,
        },
      })
    ).body;
    expect(qty.bot?.volume_mode).toBe('qty');

    const held = await eventually(async () => {
      const b = await bot(t, one);
      return b?.status === 'in_position_long' ? b : undefined;
    });
    // The position-sync worker attaches the exchange's view of the position (stop / take-profit the cards show).
    await workers(t).runNow('position_sync_worker');
    const synced = await bot(t, one);
    check(
      synced,
      {
        exchange_position: 'object',
        'exchange_position.stop_loss': 'string|number|null' as Kind,
        'exchange_position.take_profit': 'string|number|null' as Kind,
      },
      'bot after position sync',
    );
    const list = (await call('get', '/api/bots/list')).body;
    check(list, { success: 'boolean', bots: 'array', count: 'number', auto_bot_enabled: 'boolean' }, 'list');
    check(
      list.bots,
      {
        '*.symbol': 'string',
        '*.status': 'string',
        '*.bot_status': 'string',
        '*.work_time': 'string',
        '*.created_at': 'string',
        '*.last_update': 'string',
        '*.volume_mode': 'string',
        '*.volume_value': 'number',
        '*.entry_price': 'number|null',
        '*.position_side': 'string|null',
        '*.unrealized_pnl': 'number',
        '*.unrealized_pnl_usdt': 'number',
        '*.position_size': 'number|null',
        '*.rsi_data': 'object',
      },
      'list bot',
    );
    check(
      held,
      {
        entry_price: 'number',
        position_side: 'string',
        current_price: 'number',
        mark_price: 'number',
        'rsi_data.rsi6h': 'number',
        'rsi_data.trend6h': 'string',
        position_start_time: 'string',
      },
      'bot in position',
    );

    const detailed = (await call('get', '/api/bots/active-detailed')).body;
    check(
      detailed.bots,
      {
        '*.symbol': 'string',
        '*.pnl': 'number',
        '*.current_price': 'number',
        '*.position_side': 'string',
        '*.trailing_stop_active': 'boolean',
        '*.entry_price': 'number',
        '*.stop_loss_pnl': 'number',
        '*.max_position_hours': 'number',
      },
      'active-detailed bot',
    );

    // Control buttons (JSON {symbol}); the bulk buttons send the same bodies one by one.
    for (const path of ['pause', 'resume', 'stop', 'start']) {
      check((await call('post', `/api/bots/${path}`, { json: { symbol: two } })).body, { success: 'boolean' }, path);
    }
    // AI bot manager: start with an empty config block, stop through /control, status by path.
    check(
      (await call('post', '/api/bots/start', { json: { symbol: two, config: {} } })).body,
      { success: 'boolean' },
      'start (AI)',
    );
    check(
      (await call('post', '/api/bots/control', { json: { symbol: two, action: 'stop' } })).body,
      { success: 'boolean' },
      'control stop (AI)',
    );
    check(
      (await call('get', `/api/bots/status/${one}`)).body,
      { success: 'boolean', 'bot.symbol': 'string', 'bot.status': 'string' },
      'status/{symbol}',
    );
    // Body-less stop with the symbol in the query string (form bodies are refused: docs/security.md).
    check((await call('post', `/api/bots/stop?symbol=${three}`)).body, { success: 'boolean' }, 'stop (query)');

    // Manual positions button, delete, bulk delete.
    check(
      (await call('post', '/api/bots/manual-positions/refresh', { jsonHeaderNoBody: true })).body,
      { success: 'boolean', count: 'number' },
      'manual-positions/refresh',
    );
    for (const symbol of [two, three]) {
      check((await call('post', '/api/bots/delete', { json: { symbol } })).body, { success: 'boolean' }, 'delete');
    }
    await call('post', '/api/bots/close-position', { json: { symbol: one } });
    await call('post', '/api/bots/delete', { json: { symbol: one } });
  });

  it('history tab, analytics tab, AI collectors', async () => {
    await call('post', '/api/bots/history/demo', { jsonHeaderNoBody: true });
    const actions = (await call('get', '/api/bots/history?action_type=BOT_START&period=today&limit=100')).body;
    check(actions, { success: 'boolean', history: 'array' }, 'history');
    check(
      actions.history,
      {
        '*.action_type': 'string',
        '*.action_name': 'string',
        '*.symbol': 'string',
        '*.timestamp': 'string',
        '*.details': 'string',
        '*.bot_id': 'string',
      },
      'history entry',
    );
    const signals = (await call('get', '/api/bots/history?action_type=SIGNAL&limit=100')).body;
    check(
      signals.history,
      {
        '*.symbol': 'string',
        '*.timestamp': 'string',
        '*.signal_type': 'string',
        '*.rsi': 'number',
        '*.price': 'number',
      },
      'history SIGNAL entry',
    );

    // The trades tab shares the action filter: trade_type can be any action type (BOT_START, SIGNAL, ...) or "all"
    // omitted.
    for (const tradeType of ['BOT_START', 'POSITION_OPENED', 'POSITION_CLOSED', 'SIGNAL', 'BOT_STOP']) {
      check(
        (await call('get', `/api/bots/trades?trade_type=${tradeType}&period=week&limit=100`)).body,
        { success: 'boolean', trades: 'array' },
        `trades?trade_type=${tradeType}`,
      );
    }
    const trades = (await call('get', '/api/bots/trades?limit=100')).body;
    check(
      trades.trades,
      {
        '*.symbol': 'string',
        '*.direction': 'string',
        '*.entry_price': 'number',
        '*.exit_price': 'number',
        '*.pnl': 'number',
        '*.roi': 'number',
        '*.size': 'number',
        '*.status': 'string',
        '*.timestamp': 'string',
        '*.decision_source': 'string',
        '*.is_successful': 'boolean',
      },
      'trade',
    );
    const stats = (await call('get', `/api/bots/statistics?symbol=${coins[0].symbol}&period=month`)).body;
    check(
      stats,
      {
        success: 'boolean',
        'statistics.total_actions': 'number',
        'statistics.total_trades': 'number',
        'statistics.win_rate': 'number',
        'statistics.success_rate': 'number',
        'statistics.total_pnl': 'number',
        'statistics.symbols': 'array',
      },
      'statistics',
    );

    // Python collectors.
    check(
      (await call('get', '/api/bots/trades?limit=1000')).body,
      { success: 'boolean', trades: 'array' },
      'trades?limit=1000',
    );
    check(
      (await call('get', '/api/bots/history?limit=500')).body,
      { success: 'boolean', history: 'array' },
      'history?limit=500',
    );
    check(
      (await call('get', '/api/bots/statistics')).body,
      { success: 'boolean', statistics: 'object' },
      'statistics (AI)',
    );

    const analytics = (await call('get', '/api/bots/analytics?limit=10000&include_exchange=0')).body;
    check(
      analytics,
      {
        success: 'boolean',
        'report.generated_at': 'string',
        // Summary line of the Analytics tab.
        'report.summary.exchange_trades_count': 'number',
        'report.summary.bot_trades_count': 'number',
        'report.summary.reconciliation_matched': 'number',
        'report.summary.reconciliation_only_exchange': 'number',
        'report.summary.reconciliation_only_bots': 'number',
        'report.summary.reconciliation_pnl_mismatches': 'number',
        'report.summary.bot_win_rate_pct': 'number',
        'report.summary.bot_total_pnl_usdt': 'number',
        // Bot trades, close reasons, coin and setting verdicts.
        'report.bot_analytics.total_trades': 'number',
        'report.bot_analytics.total_pnl_usdt': 'number',
        'report.bot_analytics.win_rate_pct': 'number',
        'report.bot_analytics.win_count': 'number',
        'report.bot_analytics.loss_count': 'number',
        'report.bot_analytics.consecutive_series.max_consecutive_wins': 'number',
        'report.bot_analytics.consecutive_series.max_consecutive_losses': 'number',
        'report.bot_analytics.drawdown.max_drawdown_usdt': 'number',
        'report.bot_analytics.drawdown.max_drawdown_pct': 'number',
        'report.bot_analytics.by_close_reason.*.count': 'number',
        'report.bot_analytics.by_close_reason.*.pnl': 'number',
        'report.bot_analytics.unsuccessful_coins': 'array',
        'report.bot_analytics.unsuccessful_settings': 'array',
        'report.bot_analytics.successful_coins': 'array',
        'report.bot_analytics.successful_settings': 'array',
      },
      'analytics',
    );
    expect(analytics.report.bot_analytics.total_trades).toBe(
      trades.count > 0 ? analytics.report.summary.bot_trades_count : 0,
    );
    expect(Object.keys(analytics.report.bot_analytics.by_close_reason).length).toBeGreaterThan(0);
    const audit = (await call('get', '/api/bots/analytics/rsi-audit?limit=500')).body;
    check(
      audit,
      {
        success: 'boolean',
        'report.summary.total': 'number',
        'report.trades': 'array',
        'report.config': 'object',
        'report.timeframe': 'string',
        'report.generated_at': 'string',
      },
      'rsi-audit',
    );

    check((await call('post', '/api/bots/history/clear', { json: {} })).body, { success: 'boolean' }, 'history/clear');
  });

  it('timeframe switch + RSI refresh, hot reload, and the app.py-only paths', async () => {
    check(
      (await call('post', '/api/bots/timeframe', { json: { timeframe: '1h' } })).body,
      { success: 'boolean' },
      'timeframe switch',
    );
    await call('post', '/api/bots/refresh-rsi-all');
    check(
      (await call('post', '/api/bots/timeframe', { json: { timeframe: '6h' } })).body,
      { success: 'boolean' },
      'timeframe back',
    );
    await call('post', '/api/bots/refresh-rsi-all');
    const reload = (await call('post', '/api/system/reload-modules', { jsonHeaderNoBody: true })).body;
    check(reload, { success: 'boolean', message: 'string', reloaded: 'array' }, 'system/reload-modules');

    // app.py proxies (and the AI data collector / candles loader).
    check((await call('get', '/health')).body, { status: 'string' }, '/health');
    expect((await request(t.http).get('/health')).body.status).toBe('ok');
    check((await call('get', '/api/bots/status')).body, { success: 'boolean' }, 'bots/status');
    check((await call('get', '/api/bots/pairs')).body, { success: 'boolean', pairs: 'string[]' }, 'pairs');
    check((await call('get', '/api/bots/config')).body, { success: 'boolean', config: 'object' }, 'config GET');
    check(
      (await call('post', '/api/bots/config', { json: { max_concurrent: 5 } })).body,
      { success: 'boolean' },
      'config POST',
    );
    check(
      (await call('get', '/api/bots/exchange-info')).body,
      { success: 'boolean', exchange_type: 'string' },
      'exchange-info',
    );
    const symbol = coins[0].symbol;
    await waitForCoins(t);
    const history = (await call('get', `/api/bots/rsi-history/${symbol}`)).body;
    check(history, { success: 'boolean', rsi_history: 'array', current_rsi: 'number' }, 'rsi-history');
  });
});
